using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Agent;

/// <summary>
/// Agent forwarding's names and its relay. The client asks for forwarding on a session
/// (<see cref="RequestType"/>); the server then opens a <see cref="ChannelType"/> channel back for every
/// connection to the session's agent socket, and the client joins each such channel to its own agent.
/// </summary>
public static class SshAgentForwarding
{
    /// <summary>The session request asking the server to forward the agent.</summary>
    public const string RequestType = "auth-agent-req@openssh.com";

    /// <summary>The name RFC 9987 gives the request (OpenSSH 10.3+ sends it to servers that announce support).</summary>
    public const string RfcRequestType = "agent-req";

    /// <summary>The channel the server opens to reach the client's agent.</summary>
    public const string ChannelType = "auth-agent@openssh.com";

    /// <summary>The RFC 9987 name of that channel.</summary>
    public const string RfcChannelType = "agent-connect";

    /// <summary>True for either name of the forwarded-agent channel.</summary>
    public static bool IsAgentChannel(string channelType) => channelType is ChannelType or RfcChannelType;

    /// <summary>
    /// Copies bytes both ways between a forwarded-agent channel and an agent connection until either side ends,
    /// then closes both. The agent at the end of <paramref name="agent"/> judges every request itself.
    /// </summary>
    public static async Task RelayAsync(SshChannel channel, Stream agent, CancellationToken cancellationToken = default)
    {
        await using var channelStream = channel.AsStream();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toAgent = CopyAsync(channelStream, agent, stop.Token);
        var toChannel = CopyAsync(agent, channelStream, stop.Token);
        await Task.WhenAny(toAgent, toChannel).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await agent.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(toAgent, toChannel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SshException)
        {
            // One side went away: the relay is over either way.
        }
        try
        {
            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SshException)
        {
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SshException)
        {
        }
    }
}
