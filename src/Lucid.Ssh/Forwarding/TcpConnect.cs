using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Server;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Connects to a forwarding target as OpenSSH's connect_to does: every address the name resolves to in turn, the
/// failure described in strerror's words ("Connection refused"), which the client shows after "connect failed:".
/// </summary>
internal static class TcpConnect
{
    public static async Task<(Socket? Socket, string? Error)> ConnectAsync(string host, int port, ILogger log,
        CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            var why = ResolverError(e);
            SshServerLog.Error(log, $"connect_to {host}: unknown host ({why})");
            return (null, why);
        }
        SocketError last = SocketError.HostNotFound;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                socket.NoDelay = true;
                return (socket, null);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e.SocketErrorCode;
                SshServerLog.Debug1(log, $"connect_next: host {host} ([{address}]:{port}): {e.Message}");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        SshServerLog.Error(log, $"connect_to {host} port {port}: failed.");
        return (null, StrError(last));
    }

    /// <summary>strerror(3)'s text for the errors a connect meets.</summary>
    internal static string StrError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.TimedOut => "Connection timed out",
        SocketError.HostUnreachable => "No route to host",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.AddressNotAvailable => "Cannot assign requested address",
        SocketError.AccessDenied => "Permission denied",
        SocketError.AddressFamilyNotSupported => "Address family not supported by protocol",
        SocketError.ConnectionReset => "Connection reset by peer",
        _ => new SocketException((int)error).Message,
    };

    private static string ResolverError(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.HostNotFound => "Name or service not known",
        SocketError.TryAgain => "Temporary failure in name resolution",
        SocketError.NoData => "No address associated with hostname",
        _ => e.Message,
    };
}
