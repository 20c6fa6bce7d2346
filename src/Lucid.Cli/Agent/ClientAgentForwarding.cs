using System.Net.Sockets;
using Lucid.Cli.Ssh;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Connection;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Agent;

/// <summary>
/// `lucid ssh -A` (ForwardAgent yes, a socket path or $VARIABLE): asks the server to forward the agent on the
/// session, and joins each agent channel the server opens back to a new connection to the local agent. A server
/// that opens an agent channel when forwarding was not asked for is refused with OpenSSH's warning.
/// </summary>
internal static class ClientAgentForwarding
{
    public static async Task RequestAsync(SshConnection connection, SshSession session, EffectiveSshConfig config, SshLog log)
    {
        var socket = config.ForwardAgent ? SocketPath(config) : null;
        var previous = connection.ChannelOpenReceived;
        connection.ChannelOpenReceived = request =>
        {
            if (!SshAgentForwarding.IsAgentChannel(request.ChannelType))
            {
                if (previous is not null)
                    previous(request);
                else
                    request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
                return;
            }
            if (!config.ForwardAgent)
            {
                log.Error("Warning: ssh server tried agent forwarding.");
                log.Error("Warning: this is probably a break-in attempt by a malicious server.");
                request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "agent forwarding not requested");
                return;
            }
            var agent = socket is null ? null : Connect(socket, log);
            if (agent is null)
            {
                request.Reject(ChannelOpenFailureReason.ConnectFailed, "no agent");
                return;
            }
            log.Debug1($"confirm {request.ChannelType}");
            var channel = request.Accept();
            _ = SshAgentForwarding.RelayAsync(channel, agent);
        };
        if (!config.ForwardAgent)
            return;
        log.Debug1($"Requesting agent forwarding on channel {session.Channel.LocalId} via {SshAgentForwarding.RequestType}");
        await session.Channel.SendRequestAsync(SshAgentForwarding.RequestType, wantReply: false);
    }

    /// <summary>ForwardAgent's socket: the path or $VARIABLE it names, else $SSH_AUTH_SOCK.</summary>
    private static string? SocketPath(EffectiveSshConfig config)
    {
        var configured = config.ForwardAgentSocket;
        var path = configured is null ? Environment.GetEnvironmentVariable(SshAgentClient.SocketVariable)
            : configured.StartsWith('$') ? Environment.GetEnvironmentVariable(configured[1..])
            : configured;
        return string.IsNullOrEmpty(path) ? null : path;
    }

    private static NetworkStream? Connect(string path, SshLog log)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            log.Debug1($"client_request_agent: ssh_get_authentication_socket: {AgentErrors.Describe(e)}");
            return null;
        }
    }
}
