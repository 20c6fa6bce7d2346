using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// `lucid ssh -G`: resolves the configuration exactly as a connection does (<see cref="SshConfigLoader"/>) and
/// prints it in `ssh -G`'s format, with the messages ssh prints while reading it.
/// </summary>
internal static class SshConfigDump
{
    public static int Run(SshInvocation invocation)
    {
        var verbosity = invocation.Verbosity;
        try
        {
            var config = SshConfigLoader.Resolve(invocation);
            var stderr = new StringBuilder();
            if (verbosity > 0)
                stderr.Append(Lucid.Ssh.LucidVersion.Banner + "\r\n");
            var ttyNotice = TtyNotice(config, invocation.HasCommand);
            foreach (var (level, text) in config.Log)
            {
                // ssh prints its tty notice after reading configuration and before expanding paths.
                if (ttyNotice is not null && (text.StartsWith("Cannot forward agent socket path", StringComparison.Ordinal)
                    || text.StartsWith("expanded ", StringComparison.Ordinal)))
                {
                    stderr.Append(ttyNotice).Append("\r\n");
                    ttyNotice = null;
                }
                AppendMessage(stderr, level, text, verbosity);
            }
            if (ttyNotice is not null)
                stderr.Append(ttyNotice).Append("\r\n");
            Console.Error.Write(stderr.ToString());
            Console.Out.Write(config.FormatLikeSshG());
            Console.Out.Flush();
            return 0;
        }
        catch (SshConfigException e)
        {
            var stderr = new StringBuilder();
            if (verbosity > 0)
                stderr.Append(Lucid.Ssh.LucidVersion.Banner + "\r\n");
            foreach (var (level, text) in e.Log)
                AppendMessage(stderr, level, text, verbosity);
            Console.Error.Write(stderr.ToString());
            return e.ExitCode;
        }
    }

    private static void AppendMessage(StringBuilder stderr, int level, string text, int verbosity)
    {
        if (level == 0)
            stderr.Append(text).Append("\r\n");
        else if (level <= verbosity)
            stderr.Append("debug").Append(level).Append(": ").Append(text).Append("\r\n");
    }

    /// <summary>ssh's "Pseudo-terminal will not be allocated" notice, which it prints even with -G.</summary>
    private static string? TtyNotice(EffectiveSshConfig c, bool hasCommand)
    {
        var quiet = c.LogLevel is "SILENT" or "QUIET" or "FATAL" or "ERROR";
        return SshTty.Requested(c, hasCommand) && SshTty.StdinForbids(c) && !quiet ? SshTty.Notice : null;
    }
}
