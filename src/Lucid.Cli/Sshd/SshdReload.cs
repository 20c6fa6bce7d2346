using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>
/// SIGHUP: the configuration and host keys are read again and new connections get them, while connections already
/// running keep what they started with. OpenSSH re-executes itself instead, which it can because every session is a
/// process of its own; here the sessions live in this process, so a re-exec would end them. What does not change
/// without a restart is said in the log: the listening sockets (ListenAddress, Port) stay as bound. A configuration
/// that does not load leaves the server serving the previous one — OpenSSH would exit in that case, having already
/// closed its listeners; Debian's unit runs `sshd -t` before the signal for that reason, and so does lucid-sshd.service.
/// </summary>
internal sealed class SshdReload(SshdArguments arguments, SshServer server, SshdLogger logger, Syslog? syslog, SshdPidFile? pidFile)
{
    private readonly Lock _gate = new();

    public void Run()
    {
        lock (_gate)
        {
            logger.Write(3, "Received SIGHUP; reloading the configuration and host keys for new connections.");
            SystemdNotify.Reloading();
            try
            {
                Reload();
            }
            finally
            {
                // Scripts (OpenSSH's regress suite among them) remove the file and wait for it to come back.
                pidFile?.Write(logger);
                SystemdNotify.Ready();
            }
        }
    }

    private void Reload()
    {
        SshdConfig fresh;
        try
        {
            fresh = SshdTool.LoadConfig(arguments);
        }
        catch (SshdConfigException e)
        {
            // The parser's last line says "terminating"; the server does not.
            foreach (var line in e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                logger.Write(2, line);
            logger.Write(2, "Configuration not reloaded: still serving with the previous configuration and host keys.");
            return;
        }
        foreach (var warning in fresh.Warnings)
            logger.Write(3, warning);
        var problems = new StringWriter();
        var paths = SshdHostKeys.Load(fresh, createMissing: false, problems);
        foreach (var line in problems.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            logger.Write(2, line.StartsWith("sshd: no hostkeys", StringComparison.Ordinal) ? "no hostkeys available" : line);
        var keys = paths is null ? [] : SshdHost.LoadHostKeys(paths, logger);
        if (keys.Count == 0)
        {
            logger.Write(2, "Configuration not reloaded: still serving with the previous configuration and host keys.");
            return;
        }
        server.Reload(fresh, keys);
        logger.Level = SshdHost.Level(fresh, arguments);
        syslog?.Facility = SshdHost.Facility(fresh);
        var bound = server.LocalEndPoints.Select(e => e.ToString()).Order().ToList();
        var wanted = fresh.ListenEndPoints.Select(e => e.ToString()).Order().ToList();
        if (!SystemdSocketsInUse && wanted.Any(w => !bound.Contains(w) && !w.EndsWith(":0", StringComparison.Ordinal)))
            logger.Write(3, $"ListenAddress and Port changes take effect at restart; still listening on {string.Join(", ", bound)}.");
        logger.Write(3, "Configuration reloaded; new connections use it, established ones keep theirs.");
    }

    /// <summary>Set when systemd passed the listeners: then the .socket unit, not sshd_config, says where we listen.</summary>
    public bool SystemdSocketsInUse { get; init; }
}
