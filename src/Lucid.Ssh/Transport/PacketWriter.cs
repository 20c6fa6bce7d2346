using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Lucid.Ssh.Transport;

/// <summary>
/// The sending half of the binary packet protocol: compresses, pads, encrypts and MACs payloads into one
/// pooled buffer, so several packets leave in one socket write. Used by the single writer loop only; a bulk
/// buffer is written by a <see cref="PacketSender"/> while the next one fills.
/// </summary>
/// <remarks>
/// The buffer starts small (<see cref="PacketBuffer.SmallSize"/>) and doubles, up to the bulk size, whenever what is
/// pending does not fit: what a server sends before authentication (its KEXINIT, the KEX reply, auth answers) is
/// its own and small, so a connection that never authenticates keeps a few KiB, while a transfer reaches the bulk
/// size within its first packets and stays there.
/// </remarks>
internal sealed class PacketWriter : IDisposable
{
    private const int BufferSize = 512 * 1024;
    // A flush this large goes to the sender's thread; smaller ones (interactive keystrokes, the handshake) are
    // sent on the writer's own, where a hand-off would only add a wake-up.
    private const int HandOffMinimum = 64 * 1024;
    private readonly Stream _stream;
    private readonly bool _pipelineBulkSends;
    private PacketBuffer _buffer = PacketBuffer.Rent(PacketBuffer.SmallSize);
    private int _length;
    private PacketSender? _sender;
    private PacketBuffer? _spare;
    private bool _sendInFlight;
    private PacketKeys? _keys;
    private ZlibCodec? _compressor;
    private bool _delayedCompressionAllowed;
    // Random padding drawn 256 bytes at a time (about 20 packets' worth): one RandomNumberGenerator call per
    // packet cost more than the 4 to 19 bytes themselves (OpenSSL's RAND_bytes locks and checks for a fork on
    // every call). Small, because every idle connection keeps it.
    private readonly byte[] _padding = new byte[256];
    private int _paddingUsed = 256;

    public PacketWriter(Stream stream, bool pipelineBulkSends = false)
    {
        _stream = stream;
        _pipelineBulkSends = pipelineBulkSends;
    }

    public uint Sequence { get; set; }
    public long BytesSinceKeys { get; private set; }
    public long PacketsSinceKeys { get; private set; }
    public int Pending => _length;
    public PacketKeys? Keys => _keys;

    public void SetKeys(PacketKeys keys)
    {
        _keys?.Dispose();
        _keys = keys;
        BytesSinceKeys = 0;
        PacketsSinceKeys = 0;
        // OpenSSH starts a fresh zlib stream with every set of keys (packet.c ssh_set_newkeys), so the
        // old stream must end here too: carrying it over corrupts the first packet after a rekey.
        _compressor?.Dispose();
        _compressor = null;
        if (!keys.Compression.IsNone && (keys.Compression.Name == "zlib" || _delayedCompressionAllowed))
            _compressor = new ZlibCodec(compress: true);
    }

    /// <summary>Starts compressing (zlib with the keys; zlib@openssh.com once USERAUTH_SUCCESS has passed, and with every later key set).</summary>
    public void StartCompression()
    {
        _delayedCompressionAllowed = true;
        if (_keys is not null && !_keys.Compression.IsNone && _compressor is null)
            _compressor = new ZlibCodec(compress: true);
    }

    /// <summary>True when a packet with this payload fits in the buffer (grown if need be) without flushing first.</summary>
    public bool HasRoomFor(int payloadLength)
    {
        var needed = _length + payloadLength + 1024;
        if (needed <= _buffer.Length)
            return true;
        if (_buffer.Length >= BufferSize)
            return false;
        Grow(needed);
        return needed <= _buffer.Length;
    }

    /// <summary>At least doubles the buffer (to at most the bulk size unless one packet needs more), keeping what is pending.</summary>
    private void Grow(int needed) =>
        _buffer = _buffer.MoveTo(Math.Max(needed, Math.Min(BufferSize, 2 * _buffer.Length)), 0, _length);

    /// <summary>Frames one payload at the end of the pending buffer.</summary>
    public void Append(ReadOnlySpan<byte> payload)
    {
        if (_compressor is not null)
            payload = _compressor.Compress(payload).Span;
        if (payload.Length > PacketReader.MaxPacketLength - 64)
            throw new InvalidOperationException($"payload of {payload.Length} bytes exceeds the maximum packet size");

        var keys = _keys;
        int blockSize = keys is null ? 8 : Math.Max(8, keys.Cipher.BlockSize);
        bool lengthInClear = keys?.LengthInClear ?? false;
        int unpadded = (lengthInClear ? 0 : 4) + 1 + payload.Length;
        int padding = blockSize - unpadded % blockSize;
        if (padding < 4)
            padding += blockSize;
        int packetLength = 1 + payload.Length + padding;
        int tagSize = keys?.TagSize ?? 0;
        int total = 4 + packetLength + tagSize;
        if (_length + total > _buffer.Length)
            Grow(_length + total);

        var packet = _buffer.Array.AsSpan(_length, 4 + packetLength);
        var tag = _buffer.Array.AsSpan(_length + 4 + packetLength, tagSize);
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packetLength);
        packet[4] = (byte)padding;
        FillPadding(packet[(5 + payload.Length)..]);

        uint sequence = Sequence;
        if (keys is null)
        {
            payload.CopyTo(packet[5..]);
        }
        else if (keys.Cipher.IsAead)
        {
            // Encrypted from where the payload is: a bulk payload is not copied here first.
            keys.Cipher.SealFrom(sequence, packet, 5, payload, tag);
        }
        else
        {
            payload.CopyTo(packet[5..]);
            if (keys.EncryptThenMac)
            {
                keys.Cipher.Transform(packet[4..]);
                keys.Mac!.Compute(sequence, packet, tag);
            }
            else
            {
                keys.Mac!.Compute(sequence, packet, tag);
                keys.Cipher.Transform(packet);
            }
        }
        _length += total;
        _buffer.Touched(_length);
        Sequence = unchecked(sequence + 1);
        BytesSinceKeys += total;
        PacketsSinceKeys++;
    }

    private void FillPadding(Span<byte> destination)
    {
        if (_paddingUsed + destination.Length > _padding.Length)
        {
            RandomNumberGenerator.Fill(_padding);
            _paddingUsed = 0;
        }
        _padding.AsSpan(_paddingUsed, destination.Length).CopyTo(destination);
        _paddingUsed += destination.Length;
    }

    /// <summary>
    /// At a bulk point (enough pending for a send of its own): hands the buffer to the sender when it is free;
    /// while it is still sending, keeps the packets here to seal more behind them (one larger send later).
    /// </summary>
    public ValueTask FlushBulkAsync(CancellationToken cancellationToken) =>
        _sendInFlight && !_sender!.IsDone ? ValueTask.CompletedTask : FlushAsync(cancellationToken);

    /// <summary>Empties the buffer: after the sender's send ends, hands a bulk buffer to it or sends a small one here.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0)
            return;
        await WaitForSenderAsync();
        if (_pipelineBulkSends && _length >= HandOffMinimum)
        {
            HandOff();
            return;
        }
        try
        {
            await _stream.WriteAsync(_buffer.Array.AsMemory(0, _length), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new SshConnectionException($"Connection lost: {e.Message}", e);
        }
        _length = 0;
    }

    /// <summary>Empties the buffer and waits until every packet framed so far has been written to the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushUntilSentAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await WaitForSenderAsync();
    }

    private ValueTask WaitForSenderAsync()
    {
        if (!_sendInFlight)
            return ValueTask.CompletedTask;
        _sendInFlight = false;
        return _sender!.Completion;
    }

    // The sender takes this buffer; sealing goes on in the other one (rented on the first bulk flush only, so an
    // interactive or idle connection never holds it).
    private void HandOff()
    {
        _sender ??= new PacketSender(_stream);
        var sending = _buffer;
        _buffer = _spare ?? PacketBuffer.Rent(BufferSize);
        _spare = sending;
        _sender.Start(sending, _length);
        _sendInFlight = true;
        _length = 0;
    }

    public void Dispose()
    {
        _keys?.Dispose();
        _keys = null;
        _compressor?.Dispose();
        _buffer.Return();
        _buffer = PacketBuffer.Empty;
        // The spare is the buffer last handed to the sender: while its send runs the kernel may still read it,
        // and a buffer back in the pool can be another connection's the next moment.
        if (_spare is not null && _sender?.Abandon() != true)
            _spare.Return();
        _spare = null;
    }
}
