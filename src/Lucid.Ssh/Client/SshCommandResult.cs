using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Client;

/// <summary>What RunCommandAsync returns: how the command ended and everything it wrote (decoded as UTF-8).</summary>
public sealed record SshCommandResult(SshExitStatus Status, string StandardOutput, string StandardError)
{
    /// <summary>The remote exit code, or null if it died by a signal or the server never said.</summary>
    public int? ExitCode => Status.ExitCode;
    public SshExitSignal? ExitSignal => Status.Signal;
}
