using System.Net;
using System.Net.Sockets;

namespace Lucid.Cli.Ssh;

/// <summary>Resolves the host and opens the TCP connection, failing with OpenSSH's messages.</summary>
internal static class TcpConnector
{
    public static async Task<Socket> ConnectAsync(string host, int port, TimeSpan? timeout, SshLog log, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
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
            if (addresses.Length == 0)
                throw new SshFatalException($"ssh: Could not resolve hostname {host}: Name or service not known");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            log.Debug1($"Connecting to {host} [{address}] port {port}.");
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (timeout is { } t)
                    cts.CancelAfter(t);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new SocketException((int)SocketError.TimedOut);
                }
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
        throw new SshFatalException($"ssh: connect to host {host} port {port}: {SocketMessage(last!)}");
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
