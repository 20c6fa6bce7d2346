using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// The server half of a SOCKS handshake as ssh -D speaks it: SOCKS4 and 4a CONNECT, and SOCKS5 CONNECT without
/// authentication to an IPv4 or IPv6 address or a domain name (RFC 1928). Anything else is refused and the
/// connection closed; a client that sends garbage gets nothing but the close.
/// </summary>
internal sealed class SocksRequest
{
    private const int MaxName = 255;

    private SocksRequest(int version, string host, int port)
    {
        Version = version;
        Host = host;
        Port = port;
    }

    public int Version { get; }
    public string Host { get; }
    public int Port { get; }

    /// <summary>Reads a CONNECT request; null (after any refusal the protocol has words for) when it is not one.</summary>
    public static async Task<SocksRequest?> ReadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[2 + MaxName + 8];
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false))
            return null;
        return buffer[0] switch
        {
            4 => await ReadSocks4Async(socket, buffer, cancellationToken).ConfigureAwait(false),
            5 => await ReadSocks5Async(socket, buffer, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
    }

    private static async Task<SocksRequest?> ReadSocks4Async(Socket socket, byte[] buffer, CancellationToken ct)
    {
        // CD, DSTPORT, DSTIP, then USERID and (4a, for an address 0.0.0.x) the host name, each NUL-terminated.
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 7), ct).ConfigureAwait(false) || buffer[0] != 1)
            return null;
        var port = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(1));
        var address = new IPAddress(buffer.AsSpan(3, 4));
        var is4a = buffer[3] == 0 && buffer[4] == 0 && buffer[5] == 0 && buffer[6] != 0;
        if (await ReadNulTerminatedAsync(socket, ct).ConfigureAwait(false) is null)
            return null;
        var host = address.ToString();
        if (is4a)
        {
            if (await ReadNulTerminatedAsync(socket, ct).ConfigureAwait(false) is not { Length: > 0 } name)
                return null;
            host = name;
        }
        return new SocksRequest(4, host, port);
    }

    private static async Task<SocksRequest?> ReadSocks5Async(Socket socket, byte[] buffer, CancellationToken ct)
    {
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 1), ct).ConfigureAwait(false) || buffer[0] == 0)
            return null;
        int methods = buffer[0];
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, methods), ct).ConfigureAwait(false))
            return null;
        if (Array.IndexOf(buffer, (byte)0, 0, methods) < 0)
        {
            await socket.SendAsync(new byte[] { 5, 0xFF }, ct).ConfigureAwait(false); // no acceptable method
            return null;
        }
        await socket.SendAsync(new byte[] { 5, 0 }, ct).ConfigureAwait(false);
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 4), ct).ConfigureAwait(false) || buffer[0] != 5 || buffer[2] != 0)
            return null;
        if (buffer[1] != 1)
        {
            await ReplyAsync(socket, 5, false, ct, reason: 7).ConfigureAwait(false); // command not supported
            return null;
        }
        string host;
        switch (buffer[3])
        {
            case 1:
                if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 4), ct).ConfigureAwait(false))
                    return null;
                host = new IPAddress(buffer.AsSpan(0, 4)).ToString();
                break;
            case 4:
                if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 16), ct).ConfigureAwait(false))
                    return null;
                host = new IPAddress(buffer.AsSpan(0, 16)).ToString();
                break;
            case 3:
                if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 1), ct).ConfigureAwait(false) || buffer[0] == 0)
                    return null;
                int length = buffer[0];
                if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, length), ct).ConfigureAwait(false))
                    return null;
                host = Encoding.ASCII.GetString(buffer, 0, length);
                break;
            default:
                await ReplyAsync(socket, 5, false, ct, reason: 8).ConfigureAwait(false); // address type not supported
                return null;
        }
        if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 2), ct).ConfigureAwait(false))
            return null;
        return new SocksRequest(5, host, BinaryPrimitives.ReadUInt16BigEndian(buffer));
    }

    /// <summary>Tells the client whether the connection was made (SOCKS4: 0x5A or 0x5B; SOCKS5: succeeded or general failure).</summary>
    public Task ReplyAsync(Socket socket, bool success, CancellationToken ct) => ReplyAsync(socket, Version, success, ct);

    private static async Task ReplyAsync(Socket socket, int version, bool success, CancellationToken ct, byte reason = 1)
    {
        byte[] reply = version == 4
            ? [0, success ? (byte)0x5A : (byte)0x5B, 0, 0, 0, 0, 0, 0]
            : [5, success ? (byte)0 : reason, 0, 1, 0, 0, 0, 0, 0, 0];
        await socket.SendAsync(reply, ct).ConfigureAwait(false);
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (read == 0)
                return false;
            buffer = buffer[read..];
        }
        return true;
    }

    private static async Task<string?> ReadNulTerminatedAsync(Socket socket, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (!await ReadExactlyAsync(socket, one, ct).ConfigureAwait(false) || bytes.Count > MaxName)
                return null;
            if (one[0] == 0)
                return Encoding.ASCII.GetString([.. bytes]);
            bytes.Add(one[0]);
        }
    }
}
