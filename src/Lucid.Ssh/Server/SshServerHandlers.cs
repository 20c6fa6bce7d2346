using System.Collections.Concurrent;
using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>
/// Handles a CHANNEL_OPEN of one type. It runs on the connection's read loop until its first await, so it must
/// not block; see <see cref="SshServerChannelOpen"/> for how it answers. The returned task may run as long as the
/// channel does; if it faults, the channel is closed (or the open refused) and the error logged.
/// </summary>
public delegate ValueTask SshChannelHandler(SshServerChannelOpen open, CancellationToken cancellationToken);

/// <summary>
/// Answers a global request of one name (tcpip-forward, streamlocal-forward@openssh.com, ...) with
/// <see cref="SshGlobalRequestReply.Succeed"/> and a payload, or <see cref="SshGlobalRequestReply.Failure"/>.
/// Replies reach the client in request order however long each handler takes.
/// </summary>
public delegate ValueTask<SshGlobalRequestReply> SshGlobalRequestHandler(SshServerContext context, SshGlobalRequest request,
    CancellationToken cancellationToken);

/// <summary>
/// Runs a subsystem in this process ("subsystem" request on a session channel) and returns its exit status;
/// the session then sends exit-status and closes. <see cref="SshSubsystemSession.Channel"/> carries the data.
/// </summary>
public delegate ValueTask<int> SshSubsystemHandler(SshSubsystemSession session, CancellationToken cancellationToken);

/// <summary>
/// The server's extension points: a handler per channel type, per global request name and per in-process
/// subsystem. "session" is registered from the start (shells, commands and sshd_config's Subsystem lines, as
/// `lucid sshd` runs them); everything unregistered is refused as OpenSSH's sshd refuses it.
/// </summary>
public sealed class SshServerHandlers
{
    private readonly ConcurrentDictionary<string, SshChannelHandler> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SshGlobalRequestHandler> _globalRequests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SshSubsystemHandler> _subsystems = new(StringComparer.Ordinal);

    /// <summary>A table with the built-in "session" handler and nothing else.</summary>
    public SshServerHandlers() => _channels["session"] = SessionChannelHandler.HandleAsync;

    /// <summary>Registers (or with null removes) the handler for channels of <paramref name="channelType"/>.</summary>
    public SshServerHandlers SetChannelHandler(string channelType, SshChannelHandler? handler) =>
        Set(_channels, channelType, handler);

    /// <summary>Registers (or with null removes) the handler for global requests named <paramref name="requestName"/>.</summary>
    public SshServerHandlers SetGlobalRequestHandler(string requestName, SshGlobalRequestHandler? handler) =>
        Set(_globalRequests, requestName, handler);

    /// <summary>
    /// Registers (or with null removes) an in-process subsystem. It takes precedence over a Subsystem line for
    /// the same name in sshd_config; a ForceCommand (or a key's command=) still runs instead, as in OpenSSH.
    /// </summary>
    public SshServerHandlers SetSubsystemHandler(string name, SshSubsystemHandler? handler) =>
        Set(_subsystems, name, handler);

    internal bool TryGetSubsystem(string name, out SshSubsystemHandler handler) => _subsystems.TryGetValue(name, out handler!);

    private SshServerHandlers Set<T>(ConcurrentDictionary<string, T> table, string name, T? handler) where T : Delegate
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (handler is null)
            table.TryRemove(name, out _);
        else
            table[name] = handler;
        return this;
    }

    internal void DispatchChannel(SshServerContext context, SshChannelOpenRequest request)
    {
        if (!_channels.TryGetValue(request.ChannelType, out var handler))
        {
            SshServerLog.Debug1(context.Options.Logger, $"server_input_channel_open: failure {request.ChannelType}");
            request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
            return;
        }
        var open = new SshServerChannelOpen(context, request);
        ValueTask running;
        try
        {
            running = handler(open, context.Closed);
        }
        catch (Exception e)
        {
            HandlerFailed(open, e);
            return;
        }
        if (running.IsCompletedSuccessfully)
            RefuseIfUnanswered(open);
        else
            _ = ObserveAsync(open, running);
    }

    private static async Task ObserveAsync(SshServerChannelOpen open, ValueTask running)
    {
        try
        {
            await running.ConfigureAwait(false);
            RefuseIfUnanswered(open);
        }
        catch (Exception e)
        {
            HandlerFailed(open, e);
        }
    }

    private static void RefuseIfUnanswered(SshServerChannelOpen open)
    {
        if (!open.IsAnswered)
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
    }

    private static void HandlerFailed(SshServerChannelOpen open, Exception e)
    {
        if (e is OperationCanceledException && open.Context.Closed.IsCancellationRequested)
            return;
        SshServerLog.Error(open.Context.Options.Logger, $"channel handler for {open.ChannelType}: {e.Message}");
        try
        {
            RefuseIfUnanswered(open);
        }
        catch (InvalidOperationException)
        {
            // Answered concurrently: the handler owns the channel and its end.
        }
    }

    internal ValueTask<SshGlobalRequestReply> DispatchGlobalRequest(SshServerContext context, SshGlobalRequest request) =>
        _globalRequests.TryGetValue(request.Name, out var handler)
            ? handler(context, request, context.Closed)
            : ValueTask.FromResult(SshGlobalRequestReply.Failure);
}
