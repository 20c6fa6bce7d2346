using System.Net.Sockets;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Connection;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>
/// The sshd side of agent forwarding for one session: a socket the session's programs find in SSH_AUTH_SOCK, and
/// for every connection to it a forwarded-agent channel opened back to the client, the bytes relayed both ways.
/// The client's agent judges every request; this side only carries them. Disposing removes the socket and its
/// directory, as OpenSSH's sshd does when the session ends.
/// </summary>
internal sealed class SshServerAgentForwarding : IDisposable
{
    private readonly SshServerAgentSocket _socket;
    private readonly SshServerContext _context;
    private readonly string _channelType;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _stopping; // read once: relays still running may outlive the source
    private int _disposed;

    private SshServerAgentForwarding(SshServerAgentSocket socket, SshServerContext context, string channelType, ILogger log)
    {
        _socket = socket;
        _context = context;
        _channelType = channelType;
        _log = log;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Closed);
        _stopping = _stop.Token;
    }

    /// <summary>The socket's path, for SSH_AUTH_SOCK.</summary>
    public string SocketPath => _socket.Path;

    /// <summary>
    /// Starts forwarding for a request that arrived as "auth-agent-req@openssh.com" or, with
    /// <paramref name="rfcNames"/>, RFC 9987's "agent-req" (whose connections are "agent-connect" channels,
    /// as OpenSSH pairs them). Null, with the reason logged, when the backend cannot create the socket.
    /// </summary>
    public static SshServerAgentForwarding? Start(SshServerContext context, bool rfcNames, ILogger log)
    {
        if (context.Options.Backend is not ISshServerAgentSockets sockets)
        {
            SshServerLog.Debug1(log, "Agent forwarding disabled: this server has no agent sockets");
            return null;
        }
        SshServerAgentSocket socket;
        try
        {
            socket = sockets.ListenForAgent(context.User);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            SshServerLog.Error(log, $"Agent forwarding disabled: couldn't create listener socket: {e.Message}");
            return null;
        }
        var forwarding = new SshServerAgentForwarding(socket, context,
            rfcNames ? SshAgentForwarding.RfcChannelType : SshAgentForwarding.ChannelType, log);
        _ = forwarding.AcceptAsync();
        return forwarding;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.Listener.AcceptAsync(_stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                SshServerLog.Debug1(_log, $"agent socket accept: {e.Message}");
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var agent = new NetworkStream(client, ownsSocket: true);
        SshChannel channel;
        try
        {
            channel = await _context.Connection.OpenChannelAsync(_channelType, cancellationToken: _stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client refused (or is gone): the program sees its agent connection closed.
            SshServerLog.Debug1(_log, $"agent channel open failed: {e.Message}");
            await agent.DisposeAsync().ConfigureAwait(false);
            return;
        }
        await SshAgentForwarding.RelayAsync(channel, agent, _stopping).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        _socket.Listener.Dispose();
        _socket.Remove();
        _stop.Dispose();
    }
}
