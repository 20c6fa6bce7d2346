using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>
/// An SSH server configured like OpenSSH's sshd: listens on the configured addresses, runs each connection
/// (transport, authentication, sessions) in this process, and keeps unauthenticated connections bounded
/// by MaxStartups and LoginGraceTime so a flood of them cannot disturb logged-in users.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private readonly SshServerOptions _options;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SourcePenalties _penalties;
    private int _startups;
    private int _connectionIds;

    public SshServer(SshServerOptions options)
    {
        _options = options;
        _penalties = new SourcePenalties(() => _options.Config);
    }

    /// <summary>The bound addresses (with the actual ports when port 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _listeners.Select(l => (IPEndPoint)l.LocalEndPoint!).ToList();

    /// <summary>Connections that have not finished authenticating.</summary>
    public int UnauthenticatedConnections => Volatile.Read(ref _startups);

    /// <summary>Binds every ListenAddress/Port and starts accepting. Throws SocketException when an address cannot be bound.</summary>
    public void Start()
    {
        var config = _options.Config;
        foreach (var endPoint in config.ListenEndPoints)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                    socket.DualMode = false;
                AllowQuickRebind(socket);
                socket.Bind(endPoint);
                socket.Listen(128);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            _listeners.Add(socket);
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            SshServerLog.Listening(_options.Logger, bound.Address.ToString(), bound.Port);
        }
        StartAccepting();
    }

    /// <summary>
    /// SO_REUSEADDR, as sshd sets it: a restarted server can bind while old connections linger in TIME_WAIT. Not
    /// .NET's ReuseAddress option, which on Linux also sets SO_REUSEPORT: a second server would then bind the same
    /// port without an error and take half of the new connections.
    /// </summary>
    private static void AllowQuickRebind(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SOL_SOCKET = 1, SO_REUSEADDR = 2;
            socket.SetRawSocketOption(SOL_SOCKET, SO_REUSEADDR, BitConverter.GetBytes(1));
        }
        else
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    }

    /// <summary>
    /// Accepts on sockets that are already bound and listening (systemd's socket activation hands them over),
    /// instead of the configuration's ListenAddress and Port. The server owns them from now on.
    /// </summary>
    public void Start(IEnumerable<Socket> listeningSockets)
    {
        foreach (var socket in listeningSockets)
        {
            _listeners.Add(socket);
            if (socket.LocalEndPoint is IPEndPoint bound)
                SshServerLog.Listening(_options.Logger, bound.Address.ToString(), bound.Port);
        }
        StartAccepting();
    }

    private void StartAccepting()
    {
        foreach (var listener in _listeners)
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener)));
    }

    /// <summary>New connections use <paramref name="config"/> and <paramref name="hostKeys"/>; existing ones keep theirs (SIGHUP).</summary>
    public void Reload(SshdConfig config, IReadOnlyList<ISshSigner> hostKeys)
    {
        _options.Config = config;
        _options.HostKeys = hostKeys;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            var remote = Normalize((IPEndPoint)client.RemoteEndPoint!);
            var local = Normalize((IPEndPoint)client.LocalEndPoint!);
            if (!_penalties.Allows(remote.Address, out var penalty))
            {
                SshServerLog.DroppedPenalised(_options.Logger, Volatile.Read(ref _startups), remote.Address.ToString(), remote.Port,
                    local.Address.ToString(), local.Port, penalty!);
                client.Dispose();
                continue;
            }
            if (ShouldDrop(out var number))
            {
                // sshd's number is the count of unauthenticated connections already there, and it tells the client
                // why (best effort: a fresh socket's buffer takes the line without blocking).
                SshServerLog.Dropped(_options.Logger, number - 1, remote.Address.ToString(), remote.Port, local.Address.ToString(), local.Port);
                try
                {
                    client.Blocking = false;
                    client.Send("Not allowed at this time\r\n"u8);
                }
                catch (SocketException)
                {
                }
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            if (_options.Config.TcpKeepAlive)
                client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            var id = Interlocked.Increment(ref _connectionIds);
            var stream = QuickAckStream.Wrap(new NetworkStream(client, ownsSocket: true), client);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await RunConnectionAsync(stream, remote, local, counted: true, _stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    /// <summary>
    /// MaxStartups start:rate:full: below start every connection is served; from start on, new ones are
    /// refused with a probability growing from rate% to 100% at full.
    /// </summary>
    private bool ShouldDrop(out int number)
    {
        var (start, rate, full) = _options.Config.MaxStartups;
        number = Interlocked.Increment(ref _startups);
        var drop = false;
        if (number > full)
            drop = true;
        else if (number > start)
        {
            var p = rate + (100 - rate) * (number - 1 - start) / Math.Max(1, full - start);
            drop = Random.Shared.Next(100) < p;
        }
        if (drop)
            Interlocked.Decrement(ref _startups);
        return drop;
    }

    /// <summary>Serves one already-accepted connection (any stream: sockets, or in-memory pairs in tests).</summary>
    public Task HandleConnectionAsync(Stream stream, IPEndPoint remote, IPEndPoint local, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _startups);
        return RunConnectionAsync(stream, Normalize(remote), Normalize(local), counted: true, cancellationToken);
    }

    /// <summary>
    /// Serves one connection whose ends have no IP address to show (sshd -i on a pipe: OpenSSH's "UNKNOWN" port 65535),
    /// or whose addresses the caller found itself.
    /// </summary>
    internal Task HandleConnectionAsync(Stream stream, ServerClientInfo client, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _startups);
        return RunConnectionAsync(stream, client, counted: true, cancellationToken);
    }

    private Task RunConnectionAsync(Stream stream, IPEndPoint remote, IPEndPoint local, bool counted, CancellationToken cancellationToken) =>
        RunConnectionAsync(stream, new ServerClientInfo(remote.Address.ToString(), remote.Port, local.Address.ToString(), local.Port), counted, cancellationToken);

    private async Task RunConnectionAsync(Stream stream, ServerClientInfo client, bool counted, CancellationToken cancellationToken)
    {
        var connection = new SshServerConnection(_options, stream, client, () =>
        {
            if (counted)
                Interlocked.Decrement(ref _startups);
        });
        await connection.RunAsync(cancellationToken).ConfigureAwait(false);
        // sshd -i has no address to penalise (OpenSSH's "UNKNOWN").
        if (IPAddress.TryParse(client.Ip, out var address) && _penalties.Penalise(address, connection.Penalty) is { } line)
            SshServerLog.Info(_options.Logger, line);
    }

    private static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    /// <summary>Stops listening and ends every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        foreach (var l in _listeners)
            l.Dispose();
        try
        {
            await Task.WhenAll(_acceptLoops.Concat(_connections.Values)).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Connections end on their own once cancelled; a slow one must not hold up the shutdown.
        }
        _stop.Dispose();
    }
}
