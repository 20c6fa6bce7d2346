using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Sshd;

/// <summary>Runs the server: listeners, logging, SIGHUP reload and SIGTERM stop.</summary>
internal static class SshdHost
{
    public static Task<int> RunAsync(SshdArguments arguments, SshdConfig config, List<string> hostKeys)
    {
        Console.Error.Write("lucid sshd: serving connections needs the SSH transport, which this build does not have yet\n");
        return Task.FromResult(255);
    }
}
