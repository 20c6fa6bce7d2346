using System.Buffers;
using System.Net.Sockets;
using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Joins a forwarding channel to a socket until both directions end, with half-closes passed on as OpenSSH's
/// channels do: the socket's end of stream becomes the channel's EOF, the channel's EOF a shutdown of the
/// socket's sending side. The peer closing the channel, a socket error or <c>cancellationToken</c> tears both down.
/// </summary>
public static class ChannelSocketBridge
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Copies both ways, then closes the channel and disposes the socket (always, also on failure).</summary>
    public static async Task RunAsync(SshChannel channel, Socket socket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(socket);
        using var cancelled = cancellationToken.Register(static s => Abort(((SshChannel, Socket))s!), (channel, socket));
        try
        {
            var toChannel = SocketToChannelAsync(socket, channel);
            var toSocket = ChannelToSocketAsync(channel, socket);
            var first = await Task.WhenAny(toChannel, toSocket).ConfigureAwait(false);
            // A direction that failed (not one that ended cleanly) takes the other one down with it.
            if (!await first.ConfigureAwait(false))
                Abort((channel, socket));
            if (first == toChannel)
            {
                // Our EOF is sent; what the peer still sends goes to the socket until its EOF or CLOSE.
                if (!await toSocket.ConfigureAwait(false))
                    Abort((channel, socket));
            }
            else
            {
                // The peer's EOF is passed on; the socket may still answer, until its end or the peer's CLOSE.
                await Task.WhenAny(toChannel, channel.Completion).ConfigureAwait(false);
                socket.Dispose();
                await toChannel.ConfigureAwait(false);
            }
        }
        finally
        {
            socket.Dispose();
            await CloseAsync(channel).ConfigureAwait(false);
        }
    }

    private static void Abort((SshChannel Channel, Socket Socket) pair)
    {
        pair.Socket.Dispose();
        _ = pair.Channel.DisposeAsync().AsTask();
    }

    private static async Task CloseAsync(SshChannel channel)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await channel.CloseAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or OperationCanceledException or ObjectDisposedException)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The socket's bytes to the channel; its end of stream to EOF. False when either side failed.</summary>
    private static async Task<bool> SocketToChannelAsync(Socket socket, SshChannel channel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    await channel.SendEofAsync().ConfigureAwait(false);
                    return true;
                }
                await channel.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or SshException or InvalidOperationException
            or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The channel's bytes to the socket; its EOF to shutdown(SHUT_WR). False when either side failed.</summary>
    private static async Task<bool> ChannelToSocketAsync(SshChannel channel, Socket socket)
    {
        var input = channel.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var data = result.Buffer;
                foreach (var segment in data)
                {
                    var rest = segment;
                    while (!rest.IsEmpty)
                        rest = rest[await socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false)..];
                }
                input.AdvanceTo(data.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return true;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or SshException or InvalidOperationException
            or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }
}
