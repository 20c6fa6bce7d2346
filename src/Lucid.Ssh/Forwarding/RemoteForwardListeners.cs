using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// One connection's remote forwards (tcpip-forward, streamlocal-forward@openssh.com): the listening sockets, each
/// accepting connections and opening a forwarded-tcpip (or forwarded-streamlocal@openssh.com) channel back to the
/// client for each. All of them close when the connection ends.
/// </summary>
internal sealed class RemoteForwardListeners
{
    private static readonly ConditionalWeakTable<SshServerContext, RemoteForwardListeners> PerConnection = new();

    private readonly SshServerContext _context;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly List<Listener> _listeners = [];
    private bool _closed;

    private RemoteForwardListeners(SshServerContext context)
    {
        _context = context;
        _log = context.Options.Logger;
        context.Closed.Register(CloseAll);
    }

    public static RemoteForwardListeners For(SshServerContext context) => PerConnection.GetValue(context, c => new RemoteForwardListeners(c));

    /// <summary>One forward: its sockets (one per address family), as the client named it, and the channel type it opens.</summary>
    private sealed record Listener(string Host, int Port, string? Path, IReadOnlyList<Socket> Sockets, CancellationTokenSource Stop);

    /// <summary>
    /// Starts listening on <paramref name="addresses"/> port <paramref name="port"/> (0: one port the system chooses,
    /// the same for every address). Returns the port, or 0 when no address could be bound.
    /// </summary>
    public int ListenTcp(string requestedHost, int port, IReadOnlyList<IPAddress> addresses)
    {
        var sockets = new List<Socket>();
        foreach (var address in addresses)
        {
            try
            {
                SshServerLog.Debug1(_log, $"Local forwarding listening on {address} port {port}.");
                var socket = SshForwardListener.Listen(address, port);
                if (port == 0)
                {
                    port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                    SshServerLog.Debug1(_log, $"Allocated listen port {port}");
                }
                sockets.Add(socket);
            }
            catch (SocketException e)
            {
                var message = $"bind [{address}]:{port}: {TcpConnect.StrError(e.SocketErrorCode)}";
                if (address == addresses[^1])
                    SshServerLog.Error(_log, message);
                else
                    SshServerLog.VerboseMessage(_log, message);
            }
        }
        if (sockets.Count == 0)
        {
            SshServerLog.Error(_log, $"channel_setup_fwd_listener_tcpip: cannot listen to port: {port}");
            return 0;
        }
        Add(new Listener(requestedHost, port, null, sockets, new CancellationTokenSource()));
        return port;
    }

    /// <summary>Takes a bound and listening Unix-domain socket for <paramref name="path"/> into service.</summary>
    public void AddStreamLocal(string path, Socket socket) =>
        Add(new Listener("", 0, path, [socket], new CancellationTokenSource()));

    private void Add(Listener listener)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _listeners.Add(listener);
                foreach (var socket in listener.Sockets)
                    _ = AcceptLoopAsync(listener, socket);
                return;
            }
        }
        Close(listener);
    }

    /// <summary>cancel-tcpip-forward: closes the forward of <paramref name="host"/> (as requested) and its listening port.</summary>
    public bool CancelTcp(string host, int port) => Cancel(l => l.Path is null && l.Host == host && l.Port == port);

    /// <summary>cancel-streamlocal-forward@openssh.com.</summary>
    public bool CancelStreamLocal(string path) => Cancel(l => l.Path == path);

    private bool Cancel(Predicate<Listener> which)
    {
        List<Listener> found;
        lock (_gate)
        {
            found = _listeners.FindAll(which);
            _listeners.RemoveAll(which);
        }
        foreach (var listener in found)
            Close(listener);
        return found.Count > 0;
    }

    private void CloseAll()
    {
        Listener[] all;
        lock (_gate)
        {
            _closed = true;
            all = [.. _listeners];
            _listeners.Clear();
        }
        foreach (var listener in all)
            Close(listener);
    }

    private static void Close(Listener listener)
    {
        listener.Stop.Cancel();
        foreach (var socket in listener.Sockets)
            socket.Dispose();
        // A Unix-domain listener leaves its file behind; OpenSSH's sshd leaves it too (StreamLocalBindUnlink cleans up next time).
    }

    private async Task AcceptLoopAsync(Listener listener, Socket socket)
    {
        while (!listener.Stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(listener.Stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = ForwardAsync(listener, accepted);
        }
    }

    private async Task ForwardAsync(Listener listener, Socket accepted)
    {
        SshChannel channel;
        try
        {
            string type;
            using var data = new SshWriter(64);
            if (listener.Path is { } path)
            {
                type = "forwarded-streamlocal@openssh.com";
                data.WriteString(path).WriteString("");
            }
            else
            {
                accepted.NoDelay = true;
                var peer = (IPEndPoint)accepted.RemoteEndPoint!;
                type = "forwarded-tcpip";
                var address = peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address;
                data.WriteString(listener.Host).WriteUInt32((uint)listener.Port).WriteString(address.ToString()).WriteUInt32((uint)peer.Port);
                SshServerLog.Debug1(_log, $"Connection to port {listener.Port} forwarding to {listener.Host} port {listener.Port} requested.");
            }
            channel = await _context.Connection.OpenChannelAsync(type, data.ToArray(), _context.Connection.ChannelOptions, _context.Closed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client refused the channel (or has gone): OpenSSH's sshd just closes the accepted connection.
            SshServerLog.Debug1(_log, $"forwarded connection on port {listener.Port} not opened: {e.Message}");
            accepted.Dispose();
            return;
        }
        await ChannelSocketBridge.RunAsync(channel, accepted, _context.Closed).ConfigureAwait(false);
    }
}
