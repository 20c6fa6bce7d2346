using System.Buffers;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>
/// One "session" channel on the server: collects pty-req and env, then runs exec, shell or a subsystem as
/// the user and pumps data both ways. Output is drained before exit-status, then EOF and CLOSE follow.
/// </summary>
internal sealed class SshServerSession
{
    private readonly SshChannel _channel;
    private readonly ServerAuthResult _auth;
    private readonly ServerClientInfo _client;
    private readonly SshServerOptions _options;
    private readonly ILogger _log;
    private readonly List<KeyValuePair<string, string>> _clientEnvironment = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SshPtyRequest? _pty;
    private ISshServerProcess? _process;
    private SshWindowSize? _pendingSize;
    private bool _started;
    private readonly SshServerContext? _context;
    private SshSubsystemSession? _pendingSubsystem;
    private SshSubsystemHandler? _pendingSubsystemHandler;
    private SshServerAgentForwarding? _agent;

    public SshServerSession(SshChannel channel, ServerAuthResult auth, ServerClientInfo client, SshServerOptions options,
        SshServerContext? context = null)
    {
        _context = context;
        _channel = channel;
        _auth = auth;
        _client = client;
        _options = options;
        _log = options.Logger;
        channel.RequestReceived = OnRequest;
        // A channel that ends before any program was asked for has nothing to tear down.
        _ = channel.Completion.ContinueWith(_ =>
        {
            if (!Volatile.Read(ref _started))
                _done.TrySetResult();
        }, TaskScheduler.Default);
        // The forwarded agent's socket and directory go when the session does (its program done, or its channel closed).
        _ = Task.WhenAny(_done.Task, channel.Completion).ContinueWith(_ => _agent?.Dispose(), TaskScheduler.Default);
    }

    public Task Completion => _done.Task;

    /// <summary>The channel type ChannelTimeout patterns are matched with: "session" until a program is asked for,
    /// then "session:shell", "session:command" or "session:subsystem:NAME" (as OpenSSH's sshd names them).</summary>
    public string TimeoutType { get; private set; } = "session";

    public SshChannel Channel => _channel;

    /// <summary>What exec, shell or subsystem decided; started by <see cref="OnRequest"/> once the request's reply is queued.</summary>
    private sealed record PendingStart(string? Command, string? OriginalCommand, SshPtyRequest? Pty, bool PrintMotd, bool UserRcAllowed);

    private PendingStart? _pendingStart;

    private SshdConfig Config => _auth.Config;

    private void OnRequest(SshChannelRequest request)
    {
        bool ok;
        try
        {
            ok = Handle(request);
        }
        catch (SshProtocolException)
        {
            ok = false;
        }
        request.Reply(ok);
        // The program starts only after the reply is queued: a quick one (`exit 3`) could otherwise get its output,
        // exit-status and CLOSE onto the wire ahead of the SUCCESS, and clients such as PuTTY then report that
        // the server refused the command.
        if (_pendingStart is { } pending)
        {
            _pendingStart = null;
            _ = Task.Run(() => RunAsync(pending));
        }
        if (_pendingSubsystem is { } subsystem)
        {
            _pendingSubsystem = null;
            _ = Task.Run(async () =>
            {
                await InProcessSubsystem.RunAsync(subsystem, _pendingSubsystemHandler!).ConfigureAwait(false);
                _done.TrySetResult();
            });
        }
    }

    private bool Handle(SshChannelRequest request)
    {
        var data = request.Data.Span;
        switch (request.Type)
        {
            case "pty-req":
                if (_started || _pty is not null)
                    return false;
                if (!Config.PermitTty || !_auth.KeyOptions.PermitPty)
                {
                    SshServerLog.Debug1(_log, "Pty allocation disabled.");
                    return false;
                }
                _pty = SshPtyRequest.Decode(data);
                return true;
            case "env":
            {
                var reader = new SshReader(data);
                var name = reader.ReadUtf8String();
                var value = reader.ReadUtf8String();
                if (_started || !Config.AcceptEnv.Any(p => SshdConfigPatterns.Match(name, p)))
                {
                    SshServerLog.Debug1(_log, $"Ignoring env request {name}: disallowed name");
                    return false;
                }
                _clientEnvironment.RemoveAll(kv => kv.Key == name);
                _clientEnvironment.Add(new(name, value));
                return true;
            }
            case SshAgentForwarding.RequestType:
            case SshAgentForwarding.RfcRequestType:
                return StartAgentForwarding(rfcNames: request.Type == SshAgentForwarding.RfcRequestType);
            case "exec":
            {
                var reader = new SshReader(data);
                return Started(Start(reader.ReadUtf8String(), subsystem: null), "session:command");
            }
            case "shell":
                return Started(Start(null, subsystem: null), "session:shell");
            case "subsystem":
            {
                var reader = new SshReader(data);
                var name = reader.ReadUtf8String();
                if (StartInProcess(name))
                    return true;
                if (!Config.Subsystems.TryGetValue(name, out var command))
                {
                    SshServerLog.Info(_log, $"subsystem request for {name} by user {_auth.User.Name} failed, subsystem not found");
                    return false;
                }
                return Started(Start(command, subsystem: name), "session:subsystem:" + name);
            }
            case "window-change":
            {
                var size = SshWindowSize.Decode(data);
                if (_process is { } p)
                    p.ResizeTerminal(size);
                else
                    _pendingSize = size;
                return true;
            }
            case "signal":
            {
                var reader = new SshReader(data);
                var name = reader.ReadUtf8String();
                return _process?.Signal(name) ?? false;
            }
            default:
                return false;
        }
    }

    /// <summary>
    /// auth-agent-req@openssh.com (or RFC 9987's agent-req), before a program starts, as OpenSSH's sshd takes it:
    /// refused when the key's options (no-agent-forwarding, restrict, a certificate without permit-agent-forwarding),
    /// AllowAgentForwarding or DisableForwarding forbid it, and when asked twice.
    /// </summary>
    private bool StartAgentForwarding(bool rfcNames)
    {
        if (_started || _context is null)
            return false;
        if (!_auth.KeyOptions.PermitAgentForwarding || !Config.AllowAgentForwarding || Config.DisableForwarding)
        {
            SshServerLog.Debug1(_log, "session_auth_agent_req: agent forwarding disabled");
            return false;
        }
        if (_agent is not null)
        {
            SshServerLog.Error(_log, "authentication forwarding requested twice.");
            return false;
        }
        _agent = SshServerAgentForwarding.Start(_context, rfcNames, _log);
        if (_agent is not null && _channel.Completion.IsCompleted)
            _agent.Dispose(); // the channel closed while the socket was made: nothing will remove it later
        return _agent is not null;
    }

    /// <summary>A subsystem registered with <see cref="SshServerHandlers.SetSubsystemHandler"/>, unless a command is forced.</summary>
    private bool StartInProcess(string name)
    {
        if (_started || _context is null || !_options.Handlers.TryGetSubsystem(name, out var handler) ||
            (Config.ForceCommand ?? _auth.KeyOptions.ForceCommand) is not null)
            return false;
        _started = true;
        SshServerLog.Debug1(_log, $"Starting session: subsystem '{name}' (in process) for {_auth.User.Name} from {_client.Ip} port {_client.Port}");
        _pendingSubsystem = new SshSubsystemSession(_context, name, _channel);
        _pendingSubsystemHandler = handler;
        return true;
    }

    /// <summary>Decides the command (ForceCommand, then the key's command=, then the client's) and starts it.</summary>
    private bool Start(string? requested, string? subsystem)
    {
        if (_started || _options.Backend is null)
            return false;
        _started = true;
        string? command = requested;
        string? original = null;
        var forced = Config.ForceCommand ?? _auth.KeyOptions.ForceCommand;
        if (forced is not null)
        {
            original = requested;
            command = forced;
        }
        var pty = _pty is { } p && _pendingSize is { } size ? p with { Columns = size.Columns, Rows = size.Rows } : _pty;
        // session.c prints the motd only for a login shell on a terminal: not for commands (forced ones included).
        var motd = Config.PrintMotd && pty is not null && command is null;
        // do_rc_files: ~/.ssh/rc is ignored for subsystems and the administrator's ForceCommand.
        var userRc = subsystem is null && Config.ForceCommand is null && Config.PermitUserRc && _auth.KeyOptions.PermitUserRc;
        var what = subsystem is not null ? $"subsystem '{subsystem}'" : command is null ? "shell" : "command";
        SshServerLog.Debug1(_log, $"Starting session: {what}{(pty is null ? "" : " on pty")} for {_auth.User.Name} from {_client.Ip} port {_client.Port}");
        _pendingStart = new PendingStart(command, original, pty, motd, userRc);
        return true;
    }

    private bool Started(bool ok, string timeoutType)
    {
        if (ok)
            TimeoutType = timeoutType;
        return ok;
    }

    /// <summary>
    /// The session's environment in session.c's order (a later value of a name replaces an earlier one): what the
    /// client sent (AcceptEnv), the basic variables, the key's environment= options and ~/.ssh/environment (with
    /// PermitUserEnvironment), the login session's (PAM), SetEnv, then the SSH_* variables.
    /// </summary>
    private List<KeyValuePair<string, string>> BuildEnvironment(string? originalCommand, ISshServerLogin? login)
    {
        var user = _auth.User;
        var env = new List<KeyValuePair<string, string>>();
        void Set(string name, string value)
        {
            env.RemoveAll(kv => kv.Key == name);
            env.Add(new(name, value));
        }
        foreach (var (k, v) in _clientEnvironment)
            Set(k, v);
        Set("USER", user.Name);
        Set("LOGNAME", user.Name);
        Set("HOME", user.Home);
        Set("PATH", user.IsRoot ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : "/usr/local/bin:/usr/bin:/bin:/usr/games");
        // With PAM, pam_mail (or nothing) sets MAIL, as with OpenSSH.
        if (!Config.UsePam)
            Set("MAIL", $"/var/mail/{user.Name}");
        Set("SHELL", user.Shell.Length > 0 ? user.Shell : "/bin/sh");
        if (Environment.GetEnvironmentVariable("TZ") is { } tz)
            Set("TZ", tz);
        if (_pty is { } pty)
            Set("TERM", pty.Term);
        if (Config.PermitUserEnvironment != "no")
        {
            foreach (var entry in _auth.KeyOptions.Environment)
            {
                var eq = entry.IndexOf('=');
                if (UserEnvironmentAllowed(entry[..eq]))
                    Set(entry[..eq], entry[(eq + 1)..]);
            }
            if (_options.Backend?.ReadUserEnvironmentFile(user) is { } text)
                foreach (var (name, value) in UserEnvironmentFile.Parse(text))
                    if (UserEnvironmentAllowed(name))
                        Set(name, value);
        }
        if (login is not null)
        {
            // PAM modules must not set what sshd itself reports about the connection.
            foreach (var (k, v) in login.Environment)
                if (!k.StartsWith("SSH_AUTH_INFO", StringComparison.Ordinal) && !k.StartsWith("SSH_CONNECTION", StringComparison.Ordinal))
                    Set(k, v);
        }
        foreach (var entry in Config.SetEnv)
        {
            var eq = entry.IndexOf('=');
            Set(entry[..eq], entry[(eq + 1)..]);
        }
        Set("SSH_CLIENT", $"{_client.Ip} {_client.Port} {_client.LocalPort}");
        Set("SSH_CONNECTION", $"{_client.Ip} {_client.Port} {_client.LocalIp} {_client.LocalPort}");
        if (_agent is not null)
            Set(SshAgentClient.SocketVariable, _agent.SocketPath);
        if (originalCommand is not null)
            Set("SSH_ORIGINAL_COMMAND", originalCommand);
        return env;
    }

    /// <summary>PermitUserEnvironment yes, or a pattern list the name must match.</summary>
    private bool UserEnvironmentAllowed(string name) =>
        Config.PermitUserEnvironment == "yes" || SshdConfigPatterns.MatchList(name, Config.PermitUserEnvironment) == 1;

    private async Task RunAsync(PendingStart pending)
    {
        ISshServerLogin? login = null;
        try
        {
            ISshServerProcess process;
            SshServerProcessStart start;
            var printMotd = pending.PrintMotd;
            try
            {
                login = await _options.Backend!.OpenLoginAsync(new SshServerLoginStart
                {
                    User = _auth.User, RemoteAddress = _client.Ip, UsePam = Config.UsePam, Terminal = pending.Pty is not null,
                }, CancellationToken.None).ConfigureAwait(false);
                if (login?.Warning is { } warning)
                    SshServerLog.Error(_log, $"session: {warning}");
                start = new SshServerProcessStart
                {
                    User = _auth.User, Command = pending.Command, Pty = pending.Pty, RemoteAddress = _client.Ip,
                    UserRcAllowed = pending.UserRcAllowed, Environment = BuildEnvironment(pending.OriginalCommand, login),
                };
                process = await _options.Backend!.StartProcessAsync(start, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SshException or IOException or InvalidOperationException)
            {
                SshServerLog.Error(_log, $"session: {e.Message}");
                await _channel.WriteExtendedAsync(System.Text.Encoding.UTF8.GetBytes(e.Message + "\r\n")).ConfigureAwait(false);
                await SendExitStatusAsync(new SshExitStatus(255, null)).ConfigureAwait(false);
                return;
            }
            await using (process.ConfigureAwait(false))
            {
                _process = process;
                if (_pendingSize is { } size && start.Pty is not null)
                    process.ResizeTerminal(size);
                if (printMotd && _options.Backend!.ReadMessageOfTheDay(start.User) is { Length: > 0 } motd)
                    await _channel.WriteAsync(TerminalNewlines(motd)).ConfigureAwait(false);
                using var stopInput = new CancellationTokenSource();
                if (process.InputNeverBlocks)
                    _channel.ResumeReadersInline(); // the client's data goes to stdin from the read loop itself
                var input = PumpInputAsync(process, start.Pty is not null, stopInput.Token);
                var finished = FinishAsync(process);
                // The client may go first (it closed the channel, its connection reset or timed out, the server is
                // stopping): then the program is hung up at once, never waited for (see ISshServerProcess.DisposeAsync).
                if (await Task.WhenAny(finished, _channel.Completion).ConfigureAwait(false) != finished || !finished.IsCompletedSuccessfully)
                {
                    SshServerLog.Debug1(_log, $"session: channel {_channel.LocalId} closed by the client or its connection; hanging up the session's processes");
                    _ = finished.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                    return;
                }
                stopInput.Cancel();
                await input.ConfigureAwait(false);
                await SendExitStatusAsync(finished.Result).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SshException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; nothing is left to tell it.
        }
        finally
        {
            if (login is not null)
                await login.DisposeAsync().ConfigureAwait(false);
            _done.TrySetResult();
        }
    }

    /// <summary>The program's exit status once it has exited and all its output (stdout and stderr) has been sent.</summary>
    private async Task<SshExitStatus> FinishAsync(ISshServerProcess process)
    {
        var output = PumpOutputAsync(process.Output, extended: false);
        var error = process.ErrorOutput is { } err ? PumpOutputAsync(err, extended: true) : Task.CompletedTask;
        var status = await process.Exited.ConfigureAwait(false);
        await Task.WhenAll(output, error).ConfigureAwait(false);
        return status;
    }

    /// <summary>sshd writes the motd through the terminal, whose output processing (ONLCR) turns each \n into \r\n.</summary>
    private static byte[] TerminalNewlines(byte[] text)
    {
        var output = new List<byte>(text.Length + 32);
        foreach (var b in text)
        {
            if (b == (byte)'\n')
                output.Add((byte)'\r');
            output.Add(b);
        }
        return output.ToArray();
    }

    private async Task SendExitStatusAsync(SshExitStatus status)
    {
        if (status.Signal is { } signal)
        {
            using var data = new SshWriter(32);
            data.WriteString(signal.Name).WriteBoolean(signal.CoreDumped).WriteString(signal.ErrorMessage).WriteString("");
            await _channel.SendRequestAsync("exit-signal", data.ToArray(), wantReply: false).ConfigureAwait(false);
        }
        else
        {
            using var data = new SshWriter(4);
            data.WriteUInt32((uint)(status.ExitCode ?? 255));
            await _channel.SendRequestAsync("exit-status", data.ToArray(), wantReply: false).ConfigureAwait(false);
        }
        await _channel.CloseAsync().ConfigureAwait(false);
    }

    private async Task PumpOutputAsync(Stream source, bool extended)
    {
        // 32 KiB to start with: every idle session holds this buffer while its read waits (a 128 KiB one doubled
        // the idle PSS per session). A read that fills it means a bulk transfer: from then on 128 KiB per read,
        // which a peer taking large packets (Lucid's client takes 128 KiB) gets as a quarter of the packets, and
        // every peer as a quarter of the reads and wake-ups on this side.
        const int IdleSize = 32 * 1024, BulkSize = 128 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(IdleSize);
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await source.ReadAsync(buffer).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // A terminal's master reports EIO once the last slave descriptor is closed: that is its end of file.
                    n = 0;
                }
                if (n == 0)
                    return;
                if (extended)
                    await _channel.WriteExtendedAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                else
                    await _channel.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                if (n == buffer.Length && buffer.Length < BulkSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(BulkSize);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task PumpInputAsync(ISshServerProcess process, bool terminal, CancellationToken cancellationToken)
    {
        var reader = _channel.Input;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                await process.WriteInputAsync(result.Buffer, cancellationToken).ConfigureAwait(false);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException or SshException)
        {
            // The process exited (or closed its stdin) while the client was still sending, or the connection failed.
        }
        finally
        {
            // End of input however it came, the client's EOF or a lost connection: the program reads end of file.
            if (!terminal)
                process.CloseInput();
        }
    }
}
