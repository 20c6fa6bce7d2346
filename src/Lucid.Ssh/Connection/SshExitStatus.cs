namespace Lucid.Ssh.Connection;

/// <summary>How the remote command ended: an exit code, a signal, or neither when the peer said nothing.</summary>
public sealed record SshExitStatus(int? ExitCode, SshExitSignal? Signal)
{
    public static SshExitStatus Unknown { get; } = new(null, null);

    /// <summary>The exit code ssh would report: the remote code, 255 for a signal or nothing (OpenSSH's ssh does the same).</summary>
    public int ToProcessExitCode() => ExitCode ?? 255;
}

/// <summary>exit-signal (RFC 4254 section 6.10): the signal name without "SIG", whether a core was dumped, and a message.</summary>
public sealed record SshExitSignal(string Name, bool CoreDumped, string ErrorMessage);
