using System.Net.Sockets;
using Lucid.Cli.Platform;
using Lucid.Ssh.Agent;

namespace Lucid.Cli.Agent;

/// <summary>
/// Accepts connections on the agent's socket and serves each through the one <see cref="SshAgentServer"/>.
/// Every connection's peer is checked first, as OpenSSH's agent checks it: only root and our own uid may talk
/// to the agent, whatever the socket's mode lets through. At most <see cref="MaxConnections"/> are served at once.
/// </summary>
internal sealed class AgentListener(Socket listener, SshAgentServer server, Action<string> log)
{
    /// <summary>A bound on the connections held open at once, so a local flood cannot exhaust descriptors.</summary>
    public const int MaxConnections = 256;

    private int _open;

    /// <summary>Binds a listening socket at <paramref name="path"/>, created 0600 (umask 0177 around the bind).</summary>
    public static Socket Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        uint previous = AgentNative.Umask(0x7f); // 0177
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            AgentNative.Umask(previous);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        uint self = Users.GetUid();
        var serving = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException e)
                {
                    log($"accept: {e.Message}");
                    continue;
                }
                var peer = AgentNative.PeerUid(client.Handle);
                if (peer is not { } uid || (uid != 0 && uid != self))
                {
                    log($"uid mismatch: peer euid {(peer is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")} != uid {self}");
                    client.Dispose();
                    continue;
                }
                if (Interlocked.Increment(ref _open) > MaxConnections)
                {
                    Interlocked.Decrement(ref _open);
                    log($"too many connections ({MaxConnections}); closing a new one");
                    client.Dispose();
                    continue;
                }
                serving.RemoveAll(t => t.IsCompleted);
                serving.Add(ServeAsync(client, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(serving).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            await server.ServeAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away mid-answer, or the agent is stopping: this connection only.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
