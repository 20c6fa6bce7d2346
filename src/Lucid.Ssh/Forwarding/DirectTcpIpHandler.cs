using System.Net.Sockets;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// The server's "direct-tcpip" channel (ssh -L, -D, -W; RFC 4254 section 7.2): checks the policy, connects to the
/// target and joins the two. Refusals are logged and answered as OpenSSH's sshd does (serverloop.c, channels.c).
/// </summary>
internal static class DirectTcpIpHandler
{
    public static async ValueTask HandleAsync(SshServerChannelOpen open, CancellationToken cancellationToken)
    {
        var context = open.Context;
        var log = context.Options.Logger;
        string target, originator;
        uint targetPort, originatorPort;
        try
        {
            var reader = new SshReader(open.Data.Span);
            target = reader.ReadUtf8String();
            targetPort = reader.ReadUInt32();
            originator = reader.ReadUtf8String();
            originatorPort = reader.ReadUInt32();
            reader.EnsureAtEnd();
        }
        catch (SshProtocolException)
        {
            SshServerLog.Error(log, "server_request_direct_tcpip: parse packet: invalid format");
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
            return;
        }
        if (targetPort > 0xFFFF || originatorPort > 0xFFFF)
        {
            SshServerLog.Error(log, targetPort > 0xFFFF ? "server_request_direct_tcpip: invalid target port" : "server_request_direct_tcpip: invalid originator port");
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
            return;
        }
        SshServerLog.Debug1(log, $"server_request_direct_tcpip: originator {originator} port {originatorPort}, target {target} port {targetPort}");

        var policy = ForwardingPolicy.For(context);
        if (!policy.LocalTcp)
        {
            SshServerLog.Info(log, $"refused local port forward: originator {originator} port {originatorPort}, target {target} port {targetPort}");
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
            return;
        }
        if (!policy.MayOpen(target, (int)targetPort))
        {
            SshServerLog.Info(log, $"Received request from {context.RemoteAddress} port {context.RemotePort} to connect to host {target} port {targetPort}, but the request was denied.");
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
            return;
        }

        var socket = await TcpConnect.ConnectAsync(target, (int)targetPort, log, cancellationToken).ConfigureAwait(false);
        if (socket.Socket is null)
        {
            open.Reject(ChannelOpenFailureReason.ConnectFailed, socket.Error!);
            return;
        }
        SshChannel channel;
        try
        {
            channel = open.Accept();
        }
        catch
        {
            socket.Socket.Dispose();
            throw;
        }
        await ChannelSocketBridge.RunAsync(channel, socket.Socket, cancellationToken).ConfigureAwait(false);
    }
}
