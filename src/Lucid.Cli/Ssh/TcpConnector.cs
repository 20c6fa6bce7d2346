using System.Net;
using System.Net.Sockets;
using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>Resolves the host and opens the TCP connection as ssh does — AddressFamily, BindAddress and
/// ConnectTimeout applied — failing with OpenSSH's messages.</summary>
internal static class TcpConnector
{
    public static async Task<Socket> ConnectAsync(string host, int port, EffectiveSshConfig config, SshLog log, CancellationToken cancellationToken)
    {
        var timeout = config.ConnectTimeout;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            if (!Allowed(literal, config.AddressFamily))
                throw new SshFatalException($"ssh: Could not resolve hostname {host}: Address family for hostname not supported");
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new SshFatalException($"ssh: Could not resolve hostname {host}: {ResolverMessage(e)}");
            }
            addresses = [.. addresses.Where(a => Allowed(a, config.AddressFamily))];
            if (addresses.Length == 0)
                throw new SshFatalException($"ssh: Could not resolve hostname {host}: Name or service not known");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            log.Debug1($"Connecting to {host} [{address}] port {port}.");
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (config.BindAddress is { } bind && !Bind(socket, bind, address, log))
            {
                socket.Dispose();
                continue;
            }
            try
            {
                ConnectBlocking(socket, new IPEndPoint(address, port), timeout);
                log.Debug1("Connection established.");
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
                log.Debug1($"connect to address {address} port {port}: {SocketMessage(e)}");
            }
        }
        throw new SshFatalException(last is null
            ? $"ssh: connect to host {host} port {port}: failure"
            : $"ssh: connect to host {host} port {port}: {SocketMessage(last)}");
    }

    /// <summary>
    /// Connects without the runtime's asynchronous machinery, which would register the socket with its epoll engine
    /// for good (see <see cref="BlockingSocketStream"/>): a non-blocking connect(2), poll(2) for up to
    /// ConnectTimeout, then the descriptor is made blocking for the session.
    /// </summary>
    private static void ConnectBlocking(Socket socket, IPEndPoint endpoint, TimeSpan? timeout)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            var ready = socket.Poll(timeout ?? Timeout.InfiniteTimeSpan, SelectMode.SelectWrite);
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
                throw new SocketException((int)error);
            if (!ready)
                throw new SocketException((int)SocketError.TimedOut);
        }
        socket.Blocking = true;
        Libc.MakeBlocking((int)socket.SafeHandle.DangerousGetHandle());
    }

    private static bool Allowed(IPAddress address, SshAddressFamily family) => family switch
    {
        SshAddressFamily.Inet => address.AddressFamily == AddressFamily.InterNetwork,
        SshAddressFamily.Inet6 => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };

    /// <summary>BindAddress: the local address (port chosen by the system) the connection leaves from; a failure
    /// is logged as ssh logs it and the next address of the host is tried.</summary>
    private static bool Bind(Socket socket, string bindAddress, IPAddress target, SshLog log)
    {
        if (!IPAddress.TryParse(bindAddress, out var local) || local.AddressFamily != target.AddressFamily)
        {
            // ssh asks getaddrinfo for a numeric address of the target's family; a name or the other family fails.
            log.Error($"getaddrinfo: {bindAddress}: Name or service not known");
            return false;
        }
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            return true;
        }
        catch (SocketException e)
        {
            log.Error($"bind {local}: {SocketMessage(e)}");
            return false;
        }
    }

    /// <summary>strerror() wording for the connect failures users meet.</summary>
    public static string SocketMessage(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.TimedOut => "Connection timed out",
        SocketError.HostUnreachable => "No route to host",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.ConnectionReset => "Connection reset by peer",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        _ => e.Message,
    };

    private static string ResolverMessage(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.TryAgain => "Temporary failure in name resolution",
        SocketError.NoData => "No address associated with hostname",
        _ => "Name or service not known",
    };
}
