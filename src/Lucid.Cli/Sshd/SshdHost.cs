using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lucid.Cli.Platform;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>Runs the server in the foreground: listeners, logging, SIGHUP reload and SIGTERM stop.</summary>
internal static class SshdHost
{
    /// <summary>
    /// The runtime reads this once, when the first socket starts waiting; sshd sets it (unless the environment
    /// already says otherwise) before it opens any socket.
    /// </summary>
    internal const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> RunAsync(SshdArguments arguments, SshdConfig config, List<string> hostKeyPaths)
    {
        RunSocketCompletionsInline();
        var stderr = Console.Error;
        using var logFile = OpenLogFile(arguments.LogFile, stderr, out var logFileFailed);
        if (logFileFailed)
            return 1;
        using var syslog = UsesSyslog(arguments) ? new Syslog("sshd", Facility(config)) : null;
        var logger = new SshdLogger(logFile ?? stderr) { Level = Level(config, arguments), Syslog = syslog };
        var hostKeys = LoadHostKeys(hostKeyPaths, logger);
        if (hostKeys.Count == 0)
        {
            stderr.Write("sshd: no hostkeys available -- exiting.\n");
            return 1;
        }
        var pamService = Environment.GetEnvironmentVariable("LUCID_SSHD_PAM_SERVICE") is { Length: > 0 } s ? s : "sshd";
        var options = new SshServerOptions
        {
            Config = config,
            HostKeys = hostKeys,
            Backend = new SshdBackend(pamService),
            Logger = logger,
        };
        await using var server = new SshServer(options);
        try
        {
            server.Start();
        }
        catch (SocketException e)
        {
            stderr.Write($"Bind to port {config.Ports[0]} on {config.ListenEndPoints.FirstOrDefault()?.Address} failed: {e.Message}.\n");
            stderr.Write("Cannot bind any address.\n");
            return 255;
        }
        if (arguments.ConfigFile is null)
            Greet(server, stderr);

        var stop = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Terminate(c, 15));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Terminate(c, 2));
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            logger.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, "Received SIGHUP; restarting.", null, (m, _) => m);
            try
            {
                var fresh = SshdTool.LoadConfig(arguments);
                var keys = SshdHostKeys.Load(fresh, createMissing: false, stderr) is { } paths ? LoadHostKeys(paths, logger) : [];
                if (keys.Count > 0)
                {
                    server.Reload(fresh, keys);
                    logger.Level = Level(fresh, arguments);
                    syslog?.Facility = Facility(fresh);
                }
            }
            catch (SshdConfigException e)
            {
                logger.Write(2, e.Message);
            }
        });
        var code = await stop.Task;
        return code;

        void Terminate(PosixSignalContext c, int number)
        {
            c.Cancel = true;
            logger.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, $"Received signal {number}; terminating.", null, (m, _) => m);
            stop.TrySetResult(0);
        }
    }

    /// <summary>
    /// OpenSSH's rule: syslog unless -e or -d (or -E, which is -e into a file). `lucid sshd` without -f is the
    /// try-it-now mode that prints how to connect, so it keeps its log on the terminal too.
    /// </summary>
    private static bool UsesSyslog(SshdArguments arguments) =>
        !arguments.LogToStderr && !arguments.Debug && arguments.LogFile is null && arguments.ConfigFile is not null;

    private static int Facility(SshdConfig config) => Syslog.ParseFacility(config.SyslogFacility) ?? 4;

    /// <summary>-E: the log appended to a file (created 0600 as sshd does); sshd's message and exit 1 when it cannot be opened.</summary>
    private static StreamWriter? OpenLogFile(string? path, TextWriter stderr, out bool failed)
    {
        failed = false;
        if (path is null)
            return null;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new StreamWriter(new FileStream(path, options)) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write($"Couldn't open logfile {path}: {e.Message}\n");
            failed = true;
            return null;
        }
    }

    private static int Level(SshdConfig config, SshdArguments arguments)
    {
        var level = SshdLogger.ParseLevel(config.LogLevel);
        if (arguments.Debug)
            level = Math.Max(level, 4 + arguments.DebugLevel);
        if (arguments.Quiet)
            level = 0;
        return level;
    }

    private static List<SshPrivateKey> LoadHostKeys(IEnumerable<string> paths, SshdLogger logger)
    {
        var keys = new List<SshPrivateKey>();
        foreach (var path in paths)
        {
            try
            {
                var key = OpenSshPrivateKeyFormat.Read(File.ReadAllText(path), passphrase: null);
                if (keys.Any(k => k.PublicKey.Equals(key.PublicKey)))
                    continue;
                keys.Add(key);
                logger.Log(Microsoft.Extensions.Logging.LogLevel.Debug, 0,
                    $"private host key #{keys.Count - 1}: {key.PublicKey.KeyType} {KeyFingerprint.Format(key.PublicKey)}", null, (m, _) => m);
            }
            catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException)
            {
                logger.Write(2, $"Unable to load host key \"{path}\": {e.Message}");
            }
        }
        return keys;
    }

    /// <summary>The short "how to connect" note for `lucid sshd` with no configuration.</summary>
    private static void Greet(SshServer server, TextWriter stderr)
    {
        var ep = server.LocalEndPoints[0];
        var user = Users.Current.Name;
        stderr.Write($"lucid sshd: serving {user}'s ~/.ssh/authorized_keys on {ep.Address} port {ep.Port}\n");
        stderr.Write($"  connect with:  ssh -p {ep.Port} {user}@{ep.Address}\n");
        if (!Users.IsRoot)
            stderr.Write($"  not running as root: only {user} can log in, with a key (passwords need root for PAM)\n");
        stderr.Write("  stop with Ctrl-C\n");
    }

    /// <summary>
    /// A socket read that had to wait resumes on the runtime's epoll thread (one per core in this mode) instead of
    /// being handed from it to a pool worker. For sshd that hand-off was the cost of a bulk transfer: every packet
    /// batch that found the socket or a session's pipe empty woke a second thread (perf: a third of the server's
    /// samples in switching threads). Inline, the read loop decrypts and writes the session's stdin on the thread
    /// that saw the data arrive: server CPU per GiB uploaded 0.74 → 0.58 s, downloaded 1.86 → 1.31 s
    /// (bench/results/2026-11-30-full-4.md). Safe here because nothing the server runs after a socket or pipe read
    /// blocks that thread for long: authentication reads its packets from a queue on the pool, session start-up
    /// and PAM run on the pool (Task.Run), syslog lines are sent by a thread of their own, and the key exchange's
    /// arithmetic yields to the pool first.
    /// </summary>
    private static void RunSocketCompletionsInline()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }
}
