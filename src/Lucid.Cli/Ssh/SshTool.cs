using System.Text;
using Lucid.Cli.Platform;

namespace Lucid.Cli.Ssh;

/// <summary>`lucid ssh`: OpenSSH's ssh client — same flags, messages and exit codes.</summary>
internal static class SshTool
{
    public const int Failure = 255;

    public static async Task<int> RunAsync(string[] args)
    {
        if (SshConfigDump.IsRequested(args))
            return SshConfigDump.Run(args);
        SshCommandLine.Result parsed;
        try
        {
            parsed = SshCommandLine.Parse(args);
            if (parsed.Options.ConfigFile is { } config)
                SshConfigFile.Apply(parsed.Options, config);
        }
        catch (SshUsageException e)
        {
            SshLog.Raw(e.Text);
            return Failure;
        }

        if (parsed.Version)
        {
            SshLog.Raw($"Lucid_{typeof(SshTool).Assembly.GetName().Version?.ToString(3)}, OpenSSH-compatible\n");
            return 0;
        }
        if (parsed.Query is { } query)
            return RunQuery(query);

        var options = parsed.Options;
        options.Host = options.Host!.ToLowerInvariant();
        SshLog log;
        try
        {
            log = new SshLog(options.EffectiveLogLevel, options.LogFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SshLog.Raw($"Couldn't open logfile {options.LogFile}: {e.Message}\r\n");
            return Failure;
        }
        using (log)
        {
            if (options.ConfigFile is { } config)
                log.Debug1($"Reading configuration data {config}");
            try
            {
                return await new SshClientSession(options, log).RunAsync();
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
                log.Fatal($"Connection to {options.EffectiveHostName} port {options.EffectivePort}: {e.Message}");
                return Failure;
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
