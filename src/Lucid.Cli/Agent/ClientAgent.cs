using System.Net.Sockets;
using Lucid.Cli.Ssh;
using Lucid.Ssh.Agent;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Agent;

/// <summary>
/// The agent `lucid ssh` asks for keys, found as OpenSSH's ssh finds it: IdentityAgent none → no agent;
/// IdentityAgent SSH_AUTH_SOCK or unset → $SSH_AUTH_SOCK; "$NAME" → that variable's value; otherwise the path
/// (~ and % tokens expanded). An agent that is not there is only a debug line, as in OpenSSH.
/// </summary>
internal static class ClientAgent
{
    /// <summary>The socket path to use, or null for none.</summary>
    public static string? SocketPath(EffectiveSshConfig config, Func<string, string?> environment, SshLog log)
    {
        var configured = config.IdentityAgent;
        string? path;
        if (configured is null || configured == SshAgentClient.SocketVariable)
            path = environment(SshAgentClient.SocketVariable);
        else if (configured == "none")
            return null;
        else if (configured.StartsWith('$'))
        {
            path = environment(configured[1..]);
            if (path is null)
                log.Debug1($"Invalid IdentityAgent environment variable \"{configured}\"");
        }
        else
            path = config.ExpandPath(configured);
        return string.IsNullOrEmpty(path) ? null : path;
    }

    /// <summary>A connection to the agent (owned by the process for as long as ssh runs), or null.</summary>
    public static SshAgentClient? Open(EffectiveSshConfig config, SshLog log)
    {
        if (SocketPath(config, Environment.GetEnvironmentVariable, log) is not { } path)
            return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            log.Debug1($"pubkey_prepare: ssh_get_authentication_socket: {AgentErrors.Describe(e)}");
            return null;
        }
        return new SshAgentClient(new NetworkStream(socket, ownsSocket: true));
    }
}
