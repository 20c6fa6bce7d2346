using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Fuzz.Recording;

/// <summary>
/// A TCP relay between a real ssh and a real sshd that keeps both byte streams, then cuts each into its
/// identification line and the cleartext packets up to and including NEWKEYS (everything later is encrypted).
/// </summary>
internal sealed class HandshakeProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly MemoryStream _fromClient = new();
    private readonly MemoryStream _fromServer = new();
    private Task? _relay;

    public HandshakeProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _relay = RelayAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public byte[] ClientBytes { get { lock (_fromClient) return _fromClient.ToArray(); } }
    public byte[] ServerBytes { get { lock (_fromServer) return _fromServer.ToArray(); } }

    private async Task RelayAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        using var server = new TcpClient();
        await server.ConnectAsync(IPAddress.Loopback, _target);
        var a = Pump(client.GetStream(), server.GetStream(), _fromClient);
        var b = Pump(server.GetStream(), client.GetStream(), _fromServer);
        await Task.WhenAny(a, b);
        client.Close();
        server.Close();
        await Task.WhenAll(a, b).ContinueWith(_ => { });
    }

    private static async Task Pump(Stream from, Stream to, MemoryStream copy)
    {
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                lock (copy)
                    copy.Write(buffer, 0, n);
                await to.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            try { to.Close(); } catch (Exception) { }
        }
    }

    /// <summary>The cleartext messages of one direction: every packet from the first up to and including NEWKEYS.</summary>
    public static List<byte[]> CleartextMessages(byte[] stream)
    {
        var messages = new List<byte[]>();
        int i = 0;
        // The identification line (a server may send other lines before it).
        while (true)
        {
            int newline = Array.IndexOf(stream, (byte)'\n', i);
            if (newline < 0)
                return messages;
            var line = Encoding.ASCII.GetString(stream, i, newline - i);
            i = newline + 1;
            if (line.StartsWith("SSH-", StringComparison.Ordinal))
                break;
        }
        while (i + 5 <= stream.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(i));
            if (length < 5 || i + 4 + length > stream.Length)
                break;
            int padding = stream[i + 4];
            var payload = stream.AsSpan(i + 5, length - padding - 1).ToArray();
            messages.Add(payload);
            i += 4 + length;
            if (payload[0] == 21)
                break;
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        if (_relay is not null)
            await _relay.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
    }
}
