using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lucid.Cli.Platform;
using Lucid.Ssh;
using Lucid.Ssh.Forwarding;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>
/// Runs the server: the log, the host keys, then either the one connection of -i or the listeners (bound here, or
/// handed over by systemd), the PidFile, the readiness reports (to the waiting parent without -D, to systemd under
/// Type=notify), SIGHUP reload and the stop signals.
/// </summary>
internal static class SshdHost
{
    /// <summary>
    /// The runtime reads this once, when the first socket starts waiting; sshd sets it (unless the environment
    /// already says otherwise) before it opens any socket.
    /// </summary>
    internal const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> RunAsync(SshdArguments arguments, SshdConfig config, List<string> hostKeyPaths)
    {
        // Not for -i: there the connection is two pipes, and a write to stdout that waits for ssh to read would hold
        // up the thread every other completion runs on (a 20 MB download took 4.5 times as long).
        if (!arguments.Inetd)
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
            Handlers = new SshServerHandlers().AddForwarding(),
        };
        await using var server = new SshServer(options);
        if (arguments.Inetd)
            return await SshdInetd.ServeAsync(server);

        List<Socket> passed;
        try
        {
            passed = SystemdSockets.Take();
            if (passed.Count > 0)
                server.Start(passed);
            else
                server.Start();
        }
        catch (SocketException e)
        {
            stderr.Write($"Bind to port {config.Ports[0]} on {config.ListenEndPoints.FirstOrDefault()?.Address} failed: {e.Message}.\n");
            stderr.Write("Cannot bind any address.\n");
            return 255;
        }
        catch (IOException e)
        {
            stderr.Write($"sshd: {e.Message}\n");
            return 255;
        }

        var pidFile = SshdPidFile.For(config, arguments);
        pidFile?.Write(logger);
        if (arguments.ConfigFile is null && !arguments.Quiet)
            SshdGreeting.Write(server, config, stderr);
        SshdDaemon.ReportReady(keepStderr: logFile is null && syslog is null);
        SystemdNotify.Ready();

        var stop = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Terminate(c, 15));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Terminate(c, 2));
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => Terminate(c, 3));
        var reload = new SshdReload(arguments, server, logger, syslog, pidFile) { SystemdSocketsInUse = passed.Count > 0 };
        // An ignored SIGHUP (nohup, some supervisors) stays ignored through the runtime's registration: OpenSSH
        // installs its handler whatever it inherited, and so does this.
        Libc.SetSignalDisposition(Libc.SIGHUP, 0);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            reload.Run();
        });
        var code = await stop.Task;
        return code;

        void Terminate(PosixSignalContext c, int number)
        {
            c.Cancel = true;
            logger.Write(3, $"Received signal {number}; terminating.");
            SystemdNotify.Stopping();
            pidFile?.Remove();
            // sshd's exit status: 0 for SIGTERM (a normal stop), 255 for the others.
            stop.TrySetResult(number == 15 ? 0 : 255);
        }
    }

    /// <summary>
    /// OpenSSH's rule: syslog unless -e or -d (or -E, which is -e into a file). `lucid sshd` without -f is the
    /// try-it-now mode that prints how to connect, so it keeps its log on the terminal too. Where no syslog daemon
    /// listens (containers, minimal systems) the log goes to stderr rather than nowhere — except with -i, whose
    /// stderr may be the client's connection itself (inetd) or the client's terminal (ProxyCommand).
    /// </summary>
    private static bool UsesSyslog(SshdArguments arguments) =>
        !arguments.LogToStderr && !arguments.Debug && arguments.LogFile is null && arguments.ConfigFile is not null &&
        (arguments.Inetd || Syslog.DaemonListening());

    internal static int Facility(SshdConfig config) => Syslog.ParseFacility(config.SyslogFacility) ?? 4;

    /// <summary>
    /// -E: the log appended to a file (created 0600), with O_APPEND as sshd opens it, so that lines from other
    /// writers of the same file (OpenSSH's regress suite has several) are never overwritten; sshd's message and
    /// exit 1 when it cannot be opened.
    /// </summary>
    private static StreamWriter? OpenLogFile(string? path, TextWriter stderr, out bool failed)
    {
        failed = false;
        if (path is null)
            return null;
        var fd = Libc.OpenForAppend(path);
        if (fd < 0)
        {
            stderr.Write($"Couldn't open logfile {path}: {Marshal.GetLastPInvokeErrorMessage()}\n");
            failed = true;
            return null;
        }
        return new StreamWriter(new DescriptorStream(fd, FileAccess.Write, ownsDescriptor: true)) { AutoFlush = true };
    }

    internal static int Level(SshdConfig config, SshdArguments arguments)
    {
        var level = SshdLogger.ParseLevel(config.LogLevel);
        if (arguments.Debug)
            level = Math.Max(level, 4 + arguments.DebugLevel);
        if (arguments.Quiet)
            level = 0;
        return level;
    }

    internal static List<SshPrivateKey> LoadHostKeys(IEnumerable<string> paths, SshdLogger logger)
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
                logger.Write(5, $"private host key #{keys.Count - 1}: {key.PublicKey.KeyType} {KeyFingerprint.Format(key.PublicKey)}");
            }
            catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException)
            {
                logger.Write(2, $"Unable to load host key \"{path}\": {e.Message}");
            }
        }
        return keys;
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
