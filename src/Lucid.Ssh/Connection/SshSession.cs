using System.IO.Pipelines;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Connection;

/// <summary>
/// A "session" channel (RFC 4254 section 6). The client side asks for a pty, a command, a shell or a
/// subsystem and reads the exit status; the server side can send exit-status / exit-signal. Streams:
/// <see cref="StandardInput"/> (disposing it sends EOF), <see cref="StandardOutput"/>, <see cref="StandardError"/>.
/// </summary>
public sealed class SshSession : IAsyncDisposable
{
    private readonly TaskCompletionSource<SshExitStatus> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? _exitCode;
    private SshExitSignal? _exitSignal;
    private Stream? _stdin;
    private Stream? _stdout;
    private Stream? _stderr;

    public SshSession(SshChannel channel)
    {
        Channel = channel;
        channel.RequestReceived = OnRequest;
        _ = channel.Completion.ContinueWith(_ => _exit.TrySetResult(new SshExitStatus(_exitCode, _exitSignal)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public SshChannel Channel { get; }

    /// <summary>Requests other than exit-status and exit-signal (e.g. a server's own extensions); unset: refused.</summary>
    public Action<SshChannelRequest>? OtherRequestReceived { get; set; }

    public Stream StandardInput => _stdin ??= new ChannelStream(Channel, null, extended: false, eofOnDispose: true);
    public Stream StandardOutput => _stdout ??= new ChannelStream(Channel, Channel.Input, extended: false, eofOnDispose: false);
    public Stream StandardError => _stderr ??= new ChannelStream(Channel, Channel.ExtendedInput, extended: true, eofOnDispose: false);

    public PipeReader Output => Channel.Input;
    public PipeReader ErrorOutput => Channel.ExtendedInput;

    /// <summary>The exit code once exit-status arrived; null before that or when the command died by a signal.</summary>
    public int? ExitCode => _exitCode;
    public SshExitSignal? ExitSignal => _exitSignal;

    /// <summary>Asks for a pseudo-terminal; false when the server refused (OpenSSH's ssh warns and carries on).</summary>
    public Task<bool> RequestPtyAsync(SshPtyRequest pty, CancellationToken cancellationToken = default) =>
        Channel.SendRequestAsync("pty-req", pty.Encode(), wantReply: true, cancellationToken);

    /// <summary>Sets an environment variable (sent without asking for a reply, as OpenSSH does; servers drop what AcceptEnv does not allow).</summary>
    public Task SetEnvironmentVariableAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(16 + name.Length + value.Length);
        data.WriteString(name).WriteString(value);
        return Channel.SendRequestAsync("env", data.ToArray(), wantReply: false, cancellationToken);
    }

    /// <summary>Runs <paramref name="command"/>; throws SshException with OpenSSH's wording when refused.</summary>
    public async Task ExecAsync(string command, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(8 + command.Length);
        data.WriteString(command);
        if (!await Channel.SendRequestAsync("exec", data.ToArray(), wantReply: true, cancellationToken).ConfigureAwait(false))
            throw new SshException($"exec request failed on channel {Channel.LocalId}");
    }

    public async Task ShellAsync(CancellationToken cancellationToken = default)
    {
        if (!await Channel.SendRequestAsync("shell", default, wantReply: true, cancellationToken).ConfigureAwait(false))
            throw new SshException($"shell request failed on channel {Channel.LocalId}");
    }

    public async Task SubsystemAsync(string subsystem, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(8 + subsystem.Length);
        data.WriteString(subsystem);
        if (!await Channel.SendRequestAsync("subsystem", data.ToArray(), wantReply: true, cancellationToken).ConfigureAwait(false))
            throw new SshException($"subsystem request failed on channel {Channel.LocalId}");
    }

    /// <summary>Tells the server the terminal was resized (window-change, no reply).</summary>
    public Task ChangeWindowSizeAsync(SshWindowSize size, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(16);
        data.WriteUInt32(size.Columns).WriteUInt32(size.Rows).WriteUInt32(size.WidthPixels).WriteUInt32(size.HeightPixels);
        return Channel.SendRequestAsync("window-change", data.ToArray(), wantReply: false, cancellationToken);
    }

    /// <summary>Delivers a signal to the remote process; <paramref name="signal"/> is the name without "SIG" (e.g. "INT").</summary>
    public Task SignalAsync(string signal, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(8 + signal.Length);
        data.WriteString(signal);
        return Channel.SendRequestAsync("signal", data.ToArray(), wantReply: false, cancellationToken);
    }

    /// <summary>Server side: reports the exit code. Send before EOF/CLOSE, after all output.</summary>
    public Task SendExitStatusAsync(int exitCode, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(4);
        data.WriteUInt32((uint)exitCode);
        return Channel.SendRequestAsync("exit-status", data.ToArray(), wantReply: false, cancellationToken);
    }

    /// <summary>Server side: reports death by a signal (name without "SIG").</summary>
    public Task SendExitSignalAsync(SshExitSignal signal, CancellationToken cancellationToken = default)
    {
        using var data = new SshWriter(32);
        data.WriteString(signal.Name).WriteBoolean(signal.CoreDumped).WriteString(signal.ErrorMessage).WriteString("");
        return Channel.SendRequestAsync("exit-signal", data.ToArray(), wantReply: false, cancellationToken);
    }

    /// <summary>Waits until the channel closed both ways and returns how the command ended.</summary>
    public Task<SshExitStatus> WaitForExitAsync(CancellationToken cancellationToken = default) =>
        _exit.Task.WaitAsync(cancellationToken);

    /// <summary>Closes gracefully (EOF, CLOSE, wait for the peer's CLOSE).</summary>
    public Task CloseAsync(CancellationToken cancellationToken = default) => Channel.CloseAsync(cancellationToken);

    public ValueTask DisposeAsync() => Channel.DisposeAsync();

    private void OnRequest(SshChannelRequest request)
    {
        switch (request.Type)
        {
            case "exit-status":
                {
                    var reader = new SshReader(request.Data.Span);
                    _exitCode = (int)reader.ReadUInt32();
                    request.Reply(true);
                    break;
                }
            case "exit-signal":
                {
                    var reader = new SshReader(request.Data.Span);
                    string name = reader.ReadUtf8String();
                    bool core = reader.ReadBoolean();
                    string message = reader.ReadUtf8String();
                    _exitSignal = new SshExitSignal(name, core, message);
                    request.Reply(true);
                    break;
                }
            default:
                if (OtherRequestReceived is { } handler)
                    handler(request);
                else
                    request.Reply(false);
                break;
        }
    }
}
