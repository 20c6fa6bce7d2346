using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// A hand-driven SSH client for hostile-input tests: sends its banner and unencrypted packets of the test's
/// choosing (a KEXINIT with any lists, a KEXDH_INIT with any e) and reads what the server answers.
/// </summary>
public sealed class RawSshClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawSshClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public int LocalPort => ((IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <summary>Connects and sends the banner (the server's banner is left unread).</summary>
    public static async Task<RawSshClient> ConnectAsync(int port, string banner = "SSH-2.0-Hostile_1.0")
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var client = new RawSshClient(tcp);
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(banner + "\r\n"));
        return client;
    }

    /// <summary>A KEXINIT offering exactly these algorithms.</summary>
    public static byte[] KexInit(string kex, string hostKey = "ssh-ed25519,rsa-sha2-256,ecdsa-sha2-nistp256",
        string cipher = "aes128-ctr", string mac = "hmac-sha2-256")
    {
        var payload = new MemoryStream();
        payload.WriteByte(20);
        payload.Write(RandomNumberGenerator.GetBytes(16));
        foreach (var list in new[] { kex, hostKey, cipher, cipher, mac, mac, "none", "none", "", "" })
            WriteString(payload, Encoding.ASCII.GetBytes(list));
        payload.WriteByte(0);
        payload.Write(new byte[4]);
        return payload.ToArray();
    }

    /// <summary>SSH_MSG_KEXDH_INIT with <paramref name="e"/> as its mpint.</summary>
    public static byte[] KexDhInit(BigInteger e)
    {
        var payload = new MemoryStream();
        payload.WriteByte(30);
        WriteString(payload, e.IsZero ? [] : e.ToByteArray(isUnsigned: false, isBigEndian: true));
        return payload.ToArray();
    }

    /// <summary>Frames <paramref name="payload"/> as an unencrypted packet (RFC 4253 section 6) and sends it.</summary>
    public async Task SendPacketAsync(byte[] payload)
    {
        var padding = 8 - (5 + payload.Length) % 8;
        if (padding < 4)
            padding += 8;
        var packet = new byte[4 + 1 + payload.Length + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Length + padding));
        packet[4] = (byte)padding;
        payload.CopyTo(packet, 5);
        await _stream.WriteAsync(packet);
    }

    /// <summary>Reads until the server closes the connection or <paramref name="timeout"/> passes; the bytes received.</summary>
    public async Task<byte[]> ReadToCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var all = new MemoryStream();
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await _stream.ReadAsync(buffer, cts.Token)) > 0)
                all.Write(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Closed (or reset), or still open when the time was up: what arrived is the answer.
        }
        return all.ToArray();
    }

    private static void WriteString(Stream stream, byte[] value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        stream.Write(length);
        stream.Write(value);
    }

    public void Dispose() => _tcp.Dispose();
}
