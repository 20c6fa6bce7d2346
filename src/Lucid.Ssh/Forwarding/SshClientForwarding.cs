using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Port forwarding from an <see cref="SshClient"/>, as OpenSSH's ssh does it: local (-L) and dynamic SOCKS (-D)
/// listeners whose connections travel as direct-tcpip channels, and remote forwards (-R) whose forwarded-tcpip
/// channels the client connects onward. Bind failures throw <see cref="SocketException"/>; a server's refusal
/// throws <see cref="SshException"/> with <see cref="SshStage.Forwarding"/>.
/// </summary>
public static class SshClientForwarding
{
    private static readonly ConditionalWeakTable<SshConnection, RemoteForwardTable> Tables = new();

    /// <summary>
    /// Listens on <paramref name="bindAddress"/>:<paramref name="port"/> (null: loopback, or every address with
    /// <paramref name="gatewayPorts"/>; "" or "*": every address; as ssh -L) and forwards each connection to
    /// <paramref name="host"/>:<paramref name="hostPort"/> as seen from the server. <paramref name="openFailed"/>
    /// hears each channel the server refused.
    /// </summary>
    public static SshForwardListener ForwardLocal(this SshClient client, string? bindAddress, int port, string host, int hostPort,
        bool gatewayPorts = false, Action<SshException>? openFailed = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return SshForwardListener.Start(LocalBindAddresses(bindAddress, gatewayPorts), port, async (socket, ct) =>
        {
            var origin = socket.RemoteEndPoint as IPEndPoint;
            try
            {
                return await client.OpenDirectTcpIpAsync(host, hostPort, Address(origin), origin?.Port ?? 0, ct).ConfigureAwait(false);
            }
            catch (SshException e)
            {
                openFailed?.Invoke(e);
                return null;
            }
        }, ConnectionClosed(client));
    }

    /// <summary>
    /// A SOCKS4/4a/5 proxy on <paramref name="bindAddress"/>:<paramref name="port"/> (ssh -D): each CONNECT becomes a
    /// direct-tcpip channel to the host the client named, resolved by the server.
    /// </summary>
    public static SshForwardListener StartSocksProxy(this SshClient client, string? bindAddress, int port, bool gatewayPorts = false,
        Action<SshException>? openFailed = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return SshForwardListener.Start(LocalBindAddresses(bindAddress, gatewayPorts), port, async (socket, ct) =>
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            handshake.CancelAfter(TimeSpan.FromSeconds(30));
            var request = await SocksRequest.ReadAsync(socket, handshake.Token).ConfigureAwait(false);
            if (request is null)
                return null;
            var origin = socket.RemoteEndPoint as IPEndPoint;
            try
            {
                var channel = await client.OpenDirectTcpIpAsync(request.Host, request.Port, Address(origin), origin?.Port ?? 0, ct).ConfigureAwait(false);
                await request.ReplyAsync(socket, true, ct).ConfigureAwait(false);
                return channel;
            }
            catch (SshException e)
            {
                openFailed?.Invoke(e);
                await request.ReplyAsync(socket, false, ct).ConfigureAwait(false);
                return null;
            }
        }, ConnectionClosed(client));
    }

    /// <summary>
    /// Asks the server to listen on <paramref name="bindAddress"/>:<paramref name="port"/> (ssh -R; null means the
    /// server's loopback, "" or "*" every address, 0 a port the server picks) and connects each connection it
    /// forwards to <paramref name="host"/>:<paramref name="hostPort"/> from here. Disposing the result cancels it.
    /// </summary>
    public static async Task<SshRemoteForward> ForwardRemoteAsync(this SshClient client, string? bindAddress, int port, string host,
        int hostPort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var listenHost = bindAddress switch { null => "localhost", "*" => "", _ => bindAddress };
        var table = Table(client.Connection);
        using var data = new SshWriter(32 + listenHost.Length);
        data.WriteString(listenHost).WriteUInt32((uint)port);
        var reply = await client.Connection.SendGlobalRequestAsync("tcpip-forward", data.ToArray(), wantReply: true, cancellationToken)
            .ConfigureAwait(false);
        if (!reply.Success)
            throw new SshException($"remote port forwarding failed for listen port {port}").At(SshStage.Forwarding);
        var bound = port;
        if (port == 0)
        {
            if (reply.Data.Length < 4)
                throw new SshProtocolException("tcpip-forward reply without the allocated port");
            bound = (int)BinaryPrimitives.ReadUInt32BigEndian(reply.Data.Span);
        }
        var forward = new SshRemoteForward(client.Connection, listenHost, bound, host, hostPort, table);
        table.Add(forward);
        return forward;
    }

    private static CancellationToken ConnectionClosed(SshClient client)
    {
        var closed = new CancellationTokenSource();
        client.Completion.ContinueWith(_ => closed.Cancel(), TaskScheduler.Default);
        return closed.Token;
    }

    private static string Address(IPEndPoint? endPoint) =>
        endPoint is null ? "127.0.0.1" : (endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address).ToString();

    /// <summary>channels.c channel_fwd_bind_addr for the client: loopback unless GatewayPorts or an address is given.</summary>
    internal static IReadOnlyList<IPAddress> LocalBindAddresses(string? bindAddress, bool gatewayPorts)
    {
        if (bindAddress is null)
            return gatewayPorts ? [IPAddress.IPv6Any, IPAddress.Any] : [IPAddress.Loopback, IPAddress.IPv6Loopback];
        if (bindAddress is "" or "*")
            return [IPAddress.IPv6Any, IPAddress.Any];
        if (bindAddress == "localhost")
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        return IPAddress.TryParse(bindAddress, out var literal) ? [literal] : Dns.GetHostAddresses(bindAddress);
    }

    private static RemoteForwardTable Table(SshConnection connection) => Tables.GetValue(connection, c => new RemoteForwardTable(c));

    /// <summary>A connection's remote forwards, and the forwarded-tcpip channels the server opens for them.</summary>
    internal sealed class RemoteForwardTable
    {
        private readonly Lock _gate = new();
        private readonly List<SshRemoteForward> _forwards = [];

        public RemoteForwardTable(SshConnection connection)
        {
            // Other channel types (an agent's, say) go on to whoever was listening before.
            var previous = connection.ChannelOpenReceived;
            connection.ChannelOpenReceived = request =>
            {
                if (request.ChannelType == "forwarded-tcpip")
                    Dispatch(request);
                else if (previous is not null)
                    previous(request);
                else
                    request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
            };
        }

        public void Add(SshRemoteForward forward)
        {
            lock (_gate)
                _forwards.Add(forward);
        }

        public void Remove(SshRemoteForward forward)
        {
            lock (_gate)
                _forwards.Remove(forward);
        }

        private void Dispatch(SshChannelOpenRequest request)
        {
            string address;
            uint port;
            try
            {
                var reader = new SshReader(request.Data.Span);
                address = reader.ReadUtf8String();
                port = reader.ReadUInt32();
            }
            catch (SshProtocolException)
            {
                request.Reject(ChannelOpenFailureReason.ConnectFailed, "open failed");
                return;
            }
            SshRemoteForward? forward;
            lock (_gate)
                forward = _forwards.Find(f => f.Port == port && (f.ListenHost == address || f.ListenHost is "" or "localhost"))
                    ?? _forwards.Find(f => f.Port == port);
            if (forward is null)
            {
                // OpenSSH's words for a connection to a port it never asked for.
                request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
                return;
            }
            _ = forward.ConnectAsync(request);
        }
    }
}

/// <summary>A remote forward the server granted (ssh -R): <see cref="Port"/> is the port it listens on.</summary>
public sealed class SshRemoteForward : IAsyncDisposable
{
    private readonly SshConnection _connection;
    private readonly SshClientForwarding.RemoteForwardTable _table;
    private int _disposed;

    internal SshRemoteForward(SshConnection connection, string listenHost, int port, string host, int hostPort,
        SshClientForwarding.RemoteForwardTable table)
    {
        _connection = connection;
        _table = table;
        ListenHost = listenHost;
        Port = port;
        Host = host;
        HostPort = hostPort;
    }

    /// <summary>The address the server was asked to listen on ("localhost", "" for every address, ...).</summary>
    public string ListenHost { get; }

    /// <summary>The port the server listens on (the one it allocated when 0 was asked for).</summary>
    public int Port { get; }

    /// <summary>Where forwarded connections go from this side.</summary>
    public string Host { get; }
    public int HostPort { get; }

    /// <summary>Raised for each forwarded connection that could not be made here (its text as OpenSSH's "connect_to" error).</summary>
    public event Action<string>? ConnectFailed;

    internal async Task ConnectAsync(SshChannelOpenRequest request)
    {
        var (socket, error) = await TcpConnect.ConnectAsync(Host, HostPort, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            CancellationToken.None).ConfigureAwait(false);
        if (socket is null)
        {
            ConnectFailed?.Invoke($"connect_to {Host} port {HostPort}: failed.");
            request.Reject(ChannelOpenFailureReason.ConnectFailed, error ?? "open failed");
            return;
        }
        SshChannel channel;
        try
        {
            channel = request.Accept();
        }
        catch (Exception e) when (e is SshException or InvalidOperationException)
        {
            socket.Dispose();
            return;
        }
        await ChannelSocketBridge.RunAsync(channel, socket).ConfigureAwait(false);
    }

    /// <summary>Cancels the forward on the server (cancel-tcpip-forward).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _table.Remove(this);
        using var data = new SshWriter(32 + ListenHost.Length);
        data.WriteString(ListenHost).WriteUInt32((uint)Port);
        try
        {
            await _connection.SendGlobalRequestAsync("cancel-tcpip-forward", data.ToArray(), wantReply: true).ConfigureAwait(false);
        }
        catch (SshException)
        {
            // The connection is gone, and the forward with it.
        }
    }
}
