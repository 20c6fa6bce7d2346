using System.Net.Sockets;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Unix-domain socket forwarding (OpenSSH's PROTOCOL 2.4): direct-streamlocal@openssh.com channels (ssh -L to a
/// path) and the streamlocal-forward@openssh.com requests (ssh -R from a path), with the user's rights
/// (<see cref="ISshServerUnixSockets"/>) and AllowStreamLocalForwarding, PermitOpen, StreamLocalBindMask and
/// StreamLocalBindUnlink.
/// </summary>
internal static class StreamLocalHandlers
{
    public static async ValueTask DirectAsync(SshServerChannelOpen open, CancellationToken cancellationToken)
    {
        var context = open.Context;
        var log = context.Options.Logger;
        string path, originator;
        uint originatorPort;
        try
        {
            var reader = new SshReader(open.Data.Span);
            path = reader.ReadUtf8String();
            originator = reader.ReadUtf8String();
            originatorPort = reader.ReadUInt32();
        }
        catch (SshProtocolException)
        {
            SshServerLog.Error(log, "server_request_direct_streamlocal: parse packet: invalid format");
            open.Reject(ChannelOpenFailureReason.ConnectFailed);
            return;
        }
        SshServerLog.Debug1(log, $"server_request_direct_streamlocal: originator {originator} port {originatorPort}, target {path}");
        var policy = ForwardingPolicy.For(context);
        if (!policy.LocalStream)
        {
            SshServerLog.Info(log, $"refused streamlocal port forward: originator {originator} port {originatorPort}, target {path}");
            open.Reject(ChannelOpenFailureReason.ConnectFailed);
            return;
        }
        if (!policy.MayOpenPath(path))
        {
            SshServerLog.Info(log, $"Received request to connect to path {path}, but the request was denied.");
            open.Reject(ChannelOpenFailureReason.ConnectFailed);
            return;
        }
        if (Sockets(context) is not { } sockets)
        {
            open.Reject(ChannelOpenFailureReason.ConnectFailed);
            return;
        }
        Socket socket;
        try
        {
            socket = sockets.Connect(context.User, path);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            SshServerLog.Debug1(log, $"connect_next: host {path} ([unix]:{path}): {Describe(e)}");
            open.Reject(ChannelOpenFailureReason.ConnectFailed);
            return;
        }
        SshChannel channel;
        try
        {
            channel = open.Accept();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        await ChannelSocketBridge.RunAsync(channel, socket, cancellationToken).ConfigureAwait(false);
    }

    public static ValueTask<SshGlobalRequestReply> ForwardAsync(SshServerContext context, SshGlobalRequest request,
        CancellationToken cancellationToken)
    {
        var log = context.Options.Logger;
        var path = new SshReader(request.Data.Span).ReadUtf8String();
        SshServerLog.Debug1(log, $"server_input_global_request: streamlocal-forward listen path {path}");
        var policy = ForwardingPolicy.For(context);
        if (!policy.RemoteStream)
        {
            ServerDebugMessage.Send(context.Connection, "Server has disabled streamlocal forwarding.");
            return new(SshGlobalRequestReply.Failure);
        }
        if (Sockets(context) is not { } sockets)
            return new(SshGlobalRequestReply.Failure);
        var config = context.Config;
        Socket socket;
        try
        {
            socket = sockets.Listen(context.User, path, config.Int("streamlocalbindmask", 0x7f), config.Flag("streamlocalbindunlink", false));
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            SshServerLog.Error(log, $"unix_listener: cannot bind to path {path}: {Describe(e)}");
            return new(SshGlobalRequestReply.Failure);
        }
        SshServerLog.Debug1(log, $"Local forwarding listening on path {path}.");
        RemoteForwardListeners.For(context).AddStreamLocal(path, socket);
        return new(SshGlobalRequestReply.Succeed());
    }

    public static ValueTask<SshGlobalRequestReply> CancelAsync(SshServerContext context, SshGlobalRequest request,
        CancellationToken cancellationToken)
    {
        var path = new SshReader(request.Data.Span).ReadUtf8String();
        SshServerLog.Debug1(context.Options.Logger, $"server_input_global_request: cancel-streamlocal-forward path {path}");
        return new(RemoteForwardListeners.For(context).CancelStreamLocal(path) ? SshGlobalRequestReply.Succeed() : SshGlobalRequestReply.Failure);
    }

    private static string Describe(Exception e) => e is SocketException s ? TcpConnect.StrError(s.SocketErrorCode) : e.Message;

    /// <summary>The backend's sockets made as the user; the process's own only where those rights are not more than the user's.</summary>
    private static ISshServerUnixSockets? Sockets(SshServerContext context)
    {
        if (context.Options.Backend is ISshServerUnixSockets sockets)
            return sockets;
        if (!Environment.IsPrivilegedProcess || context.User.IsRoot)
            return InProcessUnixSockets.Instance;
        SshServerLog.Error(context.Options.Logger,
            $"streamlocal forwarding refused for {context.User.Name}: the server runs as root and its backend cannot act as the user");
        return null;
    }
}
