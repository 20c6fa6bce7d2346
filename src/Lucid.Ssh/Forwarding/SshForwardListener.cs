using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// A local listener of a client-side forward (ssh -L, -D): it accepts connections and joins each to a channel that
/// <c>openChannel</c> opens through the SSH connection. Disposing it stops listening; connections already forwarded
/// carry on until either end closes them.
/// </summary>
public sealed class SshForwardListener : IAsyncDisposable
{
    private readonly IReadOnlyList<Socket> _sockets;
    private readonly CancellationTokenSource _stop;
    private readonly Func<Socket, CancellationToken, Task<SshChannel?>> _openChannel;

    private SshForwardListener(IReadOnlyList<Socket> sockets, Func<Socket, CancellationToken, Task<SshChannel?>> openChannel,
        CancellationToken connectionClosed)
    {
        _sockets = sockets;
        _openChannel = openChannel;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        _stop.Token.Register(() =>
        {
            foreach (var socket in _sockets)
                socket.Dispose();
        });
        foreach (var socket in sockets)
            _ = AcceptLoopAsync(socket);
    }

    /// <summary>The port listened on (the one the system chose when 0 was asked for).</summary>
    public int Port { get; private init; }

    /// <summary>The addresses listened on.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => [.. _sockets.Select(s => (IPEndPoint)s.LocalEndPoint!)];

    /// <summary>
    /// Binds <paramref name="addresses"/> on <paramref name="port"/> (0: one the system picks, the same for every
    /// address). Addresses that cannot be bound are skipped; when none can be, the first bind error is thrown (a
    /// <see cref="SocketException"/>, "Address already in use"), which is how a caller learns of bind failures.
    /// </summary>
    internal static SshForwardListener Start(IReadOnlyList<IPAddress> addresses, int port,
        Func<Socket, CancellationToken, Task<SshChannel?>> openChannel, CancellationToken connectionClosed)
    {
        var sockets = new List<Socket>();
        SocketException? first = null;
        foreach (var address in addresses)
        {
            try
            {
                var socket = Listen(address, port);
                if (port == 0)
                    port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                sockets.Add(socket);
            }
            catch (SocketException e)
            {
                first ??= e;
            }
        }
        if (sockets.Count == 0)
            throw first ?? new SocketException((int)SocketError.AddressNotAvailable);
        return new SshForwardListener(sockets, openChannel, connectionClosed) { Port = port };
    }

    /// <summary>
    /// A TCP listener on one address, as OpenSSH binds forwarding listeners: SO_REUSEADDR only (.NET's ReuseAddress also
    /// sets SO_REUSEPORT, which would let a second listener share the port) and IPv6 sockets IPv6 only.
    /// </summary>
    internal static Socket Listen(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = false;
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            _ = ForwardAsync(accepted);
        }
    }

    private async Task ForwardAsync(Socket accepted)
    {
        SshChannel? channel;
        try
        {
            accepted.NoDelay = accepted.AddressFamily != AddressFamily.Unix;
            channel = await _openChannel(accepted, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            channel = null;
        }
        if (channel is null)
        {
            accepted.Dispose();
            return;
        }
        await ChannelSocketBridge.RunAsync(channel, accepted).ConfigureAwait(false);
    }

    /// <summary>Stops listening.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
