using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>`lucid ssh`: OpenSSH's ssh client — same flags, configuration, messages and exit codes.</summary>
internal static class SshTool
{
    public const int Failure = 255;

    public static async Task<int> RunAsync(string[] args)
    {
        SshInvocation invocation;
        try
        {
            invocation = SshCommandLine.Parse(args);
        }
        catch (SshUsageException e)
        {
            SshLog.Raw(e.Text);
            return Failure;
        }

        if (invocation.Version)
        {
            SshLog.Raw(Lucid.Ssh.LucidVersion.Banner + "\n");
            return 0;
        }
        if (invocation.Query is { } query)
            return RunQuery(query);
        if (invocation.PrintConfig)
            return SshConfigDump.Run(invocation);
        if (invocation.NotYet.Count > 0)
        {
            SshLog.Raw($"lucid ssh: -{invocation.NotYet[0]} is not supported yet\n");
            return Failure;
        }

        SshLog log;
        try
        {
            // As ssh: the command line's -q/-v level while the configuration is read, then the configured one.
            log = new SshLog(invocation.CommandLineLogLevel, invocation.LogFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SshLog.Raw($"Couldn't open logfile {invocation.LogFile}: {e.Message}\r\n");
            return Failure;
        }
        using (log)
        {
            EffectiveSshConfig config;
            try
            {
                config = SshConfigLoader.Resolve(invocation);
            }
            catch (SshConfigException e)
            {
                Write(log, e.Log);
                return e.ExitCode;
            }
            Write(log, config.Log);
            log.Level = LogLevels.Parse(config.LogLevel) ?? LogLevel.Info;
            try
            {
                return await new SshClientSession(invocation, config, log).RunAsync();
            }
            catch (SshFatalException e)
            {
                Terminal.Restore();
                log.Fatal(e.Message);
                return Failure;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Lucid.Ssh.SshException)
            {
                // The network or the peer failed somewhere no stage-specific message covers.
                Terminal.Restore();
                log.Fatal($"Connection to {config.HostName} port {config.Port}: {e.Message}");
                return Failure;
            }
        }
    }

    /// <summary>What ssh logged while reading its configuration: errors always, debug lines per -v.</summary>
    private static void Write(SshLog log, IReadOnlyList<SshConfigMessage> messages)
    {
        foreach (var (level, text) in messages)
        {
            switch (level)
            {
                case 0: log.Error(text); break;
                case 1: log.Debug1(text); break;
                case 2: log.Debug2(text); break;
                default: log.Debug3(text); break;
            }
        }
    }

    private static int RunQuery(string query)
    {
        var names = SshAlgorithms.Query(query);
        if (names is null)
        {
            SshLog.Raw($"Unsupported query \"{query}\"\r\n");
            return Failure;
        }
        var text = new StringBuilder();
        foreach (var name in names)
            text.Append(name).Append('\n');
        Libc.WriteAll(Libc.STDOUT_FILENO, Encoding.UTF8.GetBytes(text.ToString()));
        return 0;
    }
}
