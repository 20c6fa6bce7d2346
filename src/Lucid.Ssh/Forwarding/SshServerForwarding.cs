using Lucid.Ssh.Server;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Port and Unix-socket forwarding for an <see cref="SshServer"/>, as OpenSSH's sshd does it and under the same
/// policy (AllowTcpForwarding, AllowStreamLocalForwarding, GatewayPorts, PermitOpen, PermitListen,
/// DisableForwarding and the key's restrict, no-port-forwarding, permitopen= and permitlisten=, all after Match).
/// Not registered by default: a host that embeds the server turns it on with <see cref="AddForwarding"/>.
/// </summary>
public static class SshServerForwarding
{
    /// <summary>
    /// Registers direct-tcpip and direct-streamlocal@openssh.com channels and the tcpip-forward,
    /// cancel-tcpip-forward, streamlocal-forward@openssh.com and cancel-streamlocal-forward@openssh.com requests.
    /// </summary>
    public static SshServerHandlers AddForwarding(this SshServerHandlers handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        return handlers
            .SetChannelHandler("direct-tcpip", DirectTcpIpHandler.HandleAsync)
            .SetChannelHandler("direct-streamlocal@openssh.com", StreamLocalHandlers.DirectAsync)
            .SetGlobalRequestHandler("tcpip-forward", RemoteForwardHandlers.TcpipForwardAsync)
            .SetGlobalRequestHandler("cancel-tcpip-forward", RemoteForwardHandlers.CancelTcpipForwardAsync)
            .SetGlobalRequestHandler("streamlocal-forward@openssh.com", StreamLocalHandlers.ForwardAsync)
            .SetGlobalRequestHandler("cancel-streamlocal-forward@openssh.com", StreamLocalHandlers.CancelAsync);
    }
}
