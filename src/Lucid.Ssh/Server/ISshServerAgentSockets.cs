using System.Net.Sockets;

namespace Lucid.Ssh.Server;

/// <summary>
/// What a backend provides for agent forwarding in sshd: a listening socket that only the user (and root) can
/// reach, the user's own, in a new private directory. Without it a server refuses agent forwarding.
/// </summary>
internal interface ISshServerAgentSockets
{
    /// <summary>Creates the directory and socket for <paramref name="user"/>; failures throw an IOException in the system's words.</summary>
    SshServerAgentSocket ListenForAgent(SshServerUser user);
}

/// <summary>A forwarded agent's listening socket, its path (SSH_AUTH_SOCK), and how to remove it and its directory.</summary>
internal sealed record SshServerAgentSocket(Socket Listener, string Path, Action Remove);
