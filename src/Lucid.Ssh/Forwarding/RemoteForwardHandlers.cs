using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// The server's global requests for remote forwards (ssh -R; RFC 4254 section 7.1 and OpenSSH's PROTOCOL 2.4):
/// tcpip-forward (replying with the port chosen when the client asked for port 0), cancel-tcpip-forward, and the
/// streamlocal equivalents. Policy and wording as OpenSSH's sshd (serverloop.c, channels.c).
/// </summary>
internal static class RemoteForwardHandlers
{
    public static ValueTask<SshGlobalRequestReply> TcpipForwardAsync(SshServerContext context, SshGlobalRequest request,
        CancellationToken cancellationToken)
    {
        var log = context.Options.Logger;
        var reader = new SshReader(request.Data.Span);
        var host = reader.ReadUtf8String();
        var port = reader.ReadUInt32();
        SshServerLog.Debug1(log, $"server_input_global_request: tcpip-forward listen {host} port {port}");
        var policy = ForwardingPolicy.For(context);
        if (port > int.MaxValue || !policy.RemoteTcp || (!request.WantReply && port == 0))
        {
            ServerDebugMessage.Send(context.Connection, "Server has disabled port forwarding.");
            return Failure;
        }
        if (port > 0xFFFF || !policy.MayListen(host, (int)port))
        {
            ServerDebugMessage.Send(context.Connection, "port forwarding refused");
            SshServerLog.Info(log, $"Received request from {context.RemoteAddress} port {context.RemotePort} to remote forward to host {host} port {port}, but the request was denied.");
            return Failure;
        }
        var addresses = BindAddresses(context, host);
        if (addresses.Count == 0)
            return Failure;
        if (port is > 0 and < 1024 && !context.User.IsRoot && Environment.IsPrivilegedProcess)
        {
            // OpenSSH binds as the user, so the kernel refuses ports below 1024; lucid sshd binds for every user as root.
            SshServerLog.Error(log, $"bind [{addresses[^1]}]:{port}: Permission denied");
            SshServerLog.Error(log, $"channel_setup_fwd_listener_tcpip: cannot listen to port: {port}");
            return Failure;
        }
        var bound = RemoteForwardListeners.For(context).ListenTcp(host, (int)port, addresses);
        if (bound == 0)
            return Failure;
        if (port != 0)
            return Success;
        var reply = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(reply, (uint)bound);
        return new(SshGlobalRequestReply.Succeed(reply));
    }

    public static ValueTask<SshGlobalRequestReply> CancelTcpipForwardAsync(SshServerContext context, SshGlobalRequest request,
        CancellationToken cancellationToken)
    {
        var reader = new SshReader(request.Data.Span);
        var host = reader.ReadUtf8String();
        var port = reader.ReadUInt32();
        SshServerLog.Debug1(context.Options.Logger, $"server_input_global_request: cancel-tcpip-forward addr {host} port {port}");
        return port <= 0xFFFF && RemoteForwardListeners.For(context).CancelTcp(host, (int)port) ? Success : Failure;
    }

    /// <summary>
    /// Where a remote forward listens (channels.c channel_fwd_bind_addr, server side). GatewayPorts no: loopback,
    /// unless the client named 127.0.0.1 or ::1; yes: every address; clientspecified: what the client asked for,
    /// every address for "" or "*", loopback for "localhost".
    /// </summary>
    internal static IReadOnlyList<IPAddress> BindAddresses(SshServerContext context, string requested)
    {
        var gatewayPorts = context.Config.GatewayPorts.ToLowerInvariant();
        bool wildcard = false;
        string? address = null;
        if (gatewayPorts is "yes" or "clientspecified")
        {
            if (requested is "" or "*" || gatewayPorts == "yes")
            {
                wildcard = true;
                if (requested is not ("" or "0.0.0.0" or "*"))
                    ServerDebugMessage.Send(context.Connection, $"Forwarding listen address \"{requested}\" overridden by server GatewayPorts");
            }
            else if (requested != "localhost")
                address = requested;
        }
        else if (requested is "127.0.0.1" or "::1")
            address = requested;

        if (address is null)
            return wildcard ? [IPAddress.IPv6Any, IPAddress.Any] : [IPAddress.IPv6Loopback, IPAddress.Loopback];
        if (IPAddress.TryParse(address, out var literal))
            return [literal];
        try
        {
            return Dns.GetHostAddresses(address);
        }
        catch (SocketException e)
        {
            SshServerLog.Error(context.Options.Logger, $"channel_setup_fwd_listener_tcpip: getaddrinfo({address}): {e.Message}");
            return [];
        }
    }

    private static ValueTask<SshGlobalRequestReply> Success => new(SshGlobalRequestReply.Succeed());
    private static ValueTask<SshGlobalRequestReply> Failure => new(SshGlobalRequestReply.Failure);
}
