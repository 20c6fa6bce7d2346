using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// A TCP proxy in front of a real sshd that flips one bit in the first encrypted bytes the server sends
/// after its NEWKEYS: the client must then fail its MAC (or AEAD tag) check. It follows the server's
/// plaintext packets (banner, then length-prefixed packets) only far enough to find NEWKEYS.
/// With <c>etmPacket</c> it flips a bit in the middle of that encrypted packet instead (1 = the first after
/// NEWKEYS), following the packets by their lengths, which an encrypt-then-MAC mode leaves in the clear
/// (<c>macLength</c>: 32 for hmac-sha2-256-etm); so a failure can be placed in authentication or a session.
/// </summary>
internal sealed class CorruptingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly int? _etmPacket;
    private readonly int _macLength;

    public CorruptingProxy(int targetPort, int? etmPacket = null, int macLength = 32)
    {
        _etmPacket = etmPacket;
        _macLength = macLength;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(() => RelayAsync(client, targetPort, _stop.Token));
            }
        });
    }

    public int Port { get; }

    private async Task RelayAsync(TcpClient client, int targetPort, CancellationToken cancellationToken)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort, cancellationToken);
            var toServer = client.GetStream().CopyToAsync(server.GetStream(), cancellationToken);
            var toClient = CorruptAfterNewKeysAsync(server.GetStream(), client.GetStream(),
                _etmPacket is { } packet ? new EtmPacketFlipper(packet, _macLength) : null, cancellationToken);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception)
        {
        }
    }

    private static async Task CorruptAfterNewKeysAsync(Stream from, Stream to, EtmPacketFlipper? flipper, CancellationToken cancellationToken)
    {
        // Everything is forwarded as it arrives; a copy of the not yet parsed plaintext is kept aside.
        var unparsed = new List<byte>();
        var buffer = new byte[65536];
        var bannerDone = false;
        var newKeysSeen = false;
        var corrupted = false;
        int n;
        while ((n = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (flipper is not null && newKeysSeen)
                flipper.Process(buffer.AsSpan(0, n));
            else if (!corrupted && newKeysSeen)
            {
                buffer[n - 1] ^= 0x01;
                corrupted = true;
            }
            else if (!newKeysSeen)
            {
                unparsed.AddRange(buffer.AsSpan(0, n));
                var consumed = 0;
                var data = unparsed.ToArray();
                if (!bannerDone)
                {
                    var newline = Array.IndexOf(data, (byte)'\n');
                    if (newline >= 0)
                    {
                        bannerDone = true;
                        consumed = newline + 1;
                    }
                }
                while (bannerDone && !newKeysSeen && data.Length - consumed >= 6)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(consumed));
                    if (data.Length - consumed < 4 + length)
                        break;
                    var type = data[consumed + 5];
                    consumed += 4 + length;
                    newKeysSeen = type == 21; // SSH_MSG_NEWKEYS: what follows is encrypted
                }
                unparsed.RemoveRange(0, consumed);
                if (newKeysSeen && flipper is not null)
                    flipper.Process(buffer.AsSpan(n - unparsed.Count, unparsed.Count));
                else if (newKeysSeen && unparsed.Count > 0)
                {
                    // Encrypted bytes already followed NEWKEYS in this read: the last one is theirs.
                    buffer[n - 1] ^= 0x01;
                    corrupted = true;
                }
            }
            await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
    }

    /// <summary>Walks encrypt-then-MAC packets (clear length, encrypted body, MAC) and flips one body byte.</summary>
    private sealed class EtmPacketFlipper(int packet, int macLength)
    {
        private readonly byte[] _length = new byte[4];
        private int _lengthBytes;
        private long _remaining; // body and MAC bytes left in the current packet
        private int _packet;
        private long _flipAt = -1; // in _remaining's count-down, the byte to flip

        public void Process(Span<byte> data)
        {
            for (var i = 0; i < data.Length; i++)
            {
                if (_remaining > 0)
                {
                    if (_remaining == _flipAt)
                        data[i] ^= 0x01;
                    _remaining--;
                    continue;
                }
                _length[_lengthBytes++] = data[i];
                if (_lengthBytes < 4)
                    continue;
                _lengthBytes = 0;
                var body = BinaryPrimitives.ReadUInt32BigEndian(_length);
                _remaining = body + macLength;
                _packet++;
                _flipAt = _packet == packet ? _remaining - body / 2 : -1;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
