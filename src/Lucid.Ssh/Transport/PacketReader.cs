using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Lucid.Ssh.Transport;

/// <summary>
/// The receiving half of the binary packet protocol (RFC 4253 section 6): reads the identification line,
/// then frames, decrypts, authenticates and decompresses packets from one pooled buffer. A returned
/// payload stays valid until the next read.
/// </summary>
/// <remarks>
/// The buffer is small (<see cref="PacketBuffer.SmallSize"/>) until authentication, growing only to fit a larger
/// packet and shrinking back once it is consumed, so a connection that never authenticates costs a few KiB
/// however many of them a flood opens. After <see cref="EnableBulk"/> (USERAUTH_SUCCESS) a read that fills the
/// buffer grows it to the bulk size, where it stays: several packets per socket read in a transfer.
/// </remarks>
internal sealed class PacketReader : IDisposable
{
    /// <summary>OpenSSH's limit: packets up to 256 KiB are accepted, anything larger is a protocol error.</summary>
    public const int MaxPacketLength = 256 * 1024;

    private const int BulkSize = MaxPacketLength + 64 * 1024;

    private readonly Stream _stream;
    private PacketBuffer _buffer = PacketBuffer.Rent(PacketBuffer.SmallSize);
    private int _start;
    private int _end;
    private volatile bool _bulk;
    private bool _lastReadFilled;
    private PacketKeys? _keys;
    private ZlibCodec? _decompressor;
    private bool _delayedCompressionAllowed;

    public PacketReader(Stream stream) => _stream = stream;

    public uint Sequence { get; set; }

    /// <summary>Bytes received since the last NEWKEYS (for rekeying).</summary>
    public long BytesSinceKeys { get; private set; }
    public long PacketsSinceKeys { get; private set; }

    public string PeerDescription { get; set; } = "remote host";

    /// <summary>Takes new keys (the previous ones are disposed); called right after NEWKEYS is received.</summary>
    public void SetKeys(PacketKeys keys)
    {
        _keys?.Dispose();
        _keys = keys;
        BytesSinceKeys = 0;
        PacketsSinceKeys = 0;
        // Every key set begins a new zlib stream on the peer's side too (see PacketWriter.SetKeys).
        _decompressor?.Dispose();
        _decompressor = null;
        if (!keys.Compression.IsNone && (keys.Compression.Name == "zlib" || _delayedCompressionAllowed))
            _decompressor = new ZlibCodec(compress: false);
    }

    public PacketKeys? Keys => _keys;

    /// <summary>The peer has authenticated: from now on the buffer may grow to the bulk size (called from either loop).</summary>
    public void EnableBulk() => _bulk = true;

    /// <summary>Starts decompressing (zlib immediately, zlib@openssh.com after user authentication).</summary>
    public void StartDecompression()
    {
        _delayedCompressionAllowed = true;
        if (_keys is not null && !_keys.Compression.IsNone && _decompressor is null)
            _decompressor = new ZlibCodec(compress: false);
    }

    /// <summary>
    /// One identification or banner line without its CR LF. RFC 4253 section 4.2 caps the version line at
    /// 255 characters including CR LF; longer lines are refused instead of buffered without bound.
    /// </summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        const int MaxLine = 255;
        int scanned = 0;
        while (true)
        {
            var available = _buffer.Array.AsSpan(_start + scanned, _end - _start - scanned);
            int newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = scanned + newline;
                if (length + 1 > MaxLine)
                    throw new SshProtocolException("kex_exchange_identification: banner line too long", DisconnectReason.ProtocolVersionNotSupported).At(SshStage.Version, new SshFailureCause.InvalidBanner("banner line too long"));
                var line = _buffer.Array.AsSpan(_start, length);
                _start += length + 1;
                if (line.Length > 0 && line[^1] == '\r')
                    line = line[..^1];
                if (line.IndexOf((byte)0) >= 0)
                    throw new SshProtocolException("kex_exchange_identification: banner line contains invalid characters", DisconnectReason.ProtocolVersionNotSupported).At(SshStage.Version, new SshFailureCause.InvalidBanner("banner line contains invalid characters"));
                return Encoding.UTF8.GetString(line);
            }
            scanned += available.Length;
            if (scanned >= MaxLine)
                throw new SshProtocolException("kex_exchange_identification: banner line too long", DisconnectReason.ProtocolVersionNotSupported).At(SshStage.Version, new SshFailureCause.InvalidBanner("banner line too long"));
            if (!await FillAsync(cancellationToken))
                throw new SshConnectionException("kex_exchange_identification: Connection closed by remote host").At(SshStage.Version, new SshFailureCause.ConnectionClosed());
        }
    }

    /// <summary>The next packet's payload (message number first).</summary>
    // Pooled builders: these complete asynchronously on most packets, and each such completion would otherwise allocate a box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken cancellationToken)
    {
        var keys = _keys;
        int blockSize = keys is null ? 8 : Math.Max(8, keys.Cipher.BlockSize);
        bool lengthInClear = keys?.LengthInClear ?? false;
        uint sequence = Sequence;

        uint length;
        if (keys is null)
        {
            await EnsureAsync(4, cancellationToken);
            length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Array.AsSpan(_start));
        }
        else if (keys.Cipher.IsAead)
        {
            await EnsureAsync(4, cancellationToken);
            length = keys.Cipher.PeekLength(sequence, _buffer.Array.AsSpan(_start, 4));
        }
        else if (keys.EncryptThenMac)
        {
            await EnsureAsync(4, cancellationToken);
            length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Array.AsSpan(_start));
        }
        else
        {
            // Encrypted length: decrypt the first block in place; the rest follows once it has arrived.
            await EnsureAsync(blockSize, cancellationToken);
            keys.Cipher.Transform(_buffer.Array.AsSpan(_start, blockSize));
            length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Array.AsSpan(_start));
        }

        if (length < 5 || length > MaxPacketLength)
            throw new SshProtocolException($"Bad packet length {length}.");
        if ((length + (lengthInClear ? 0u : 4u)) % (uint)blockSize != 0)
            throw new SshProtocolException($"padding error: need {length} block {blockSize} mod {(length + (lengthInClear ? 0u : 4u)) % (uint)blockSize}");

        int tagSize = keys?.TagSize ?? 0;
        int total = 4 + (int)length + tagSize;
        await EnsureAsync(total, cancellationToken);
        var packet = _buffer.Array.AsSpan(_start, 4 + (int)length);
        var tag = _buffer.Array.AsSpan(_start + 4 + (int)length, tagSize);

        if (keys is not null)
        {
            bool ok;
            if (keys.Cipher.IsAead)
            {
                ok = keys.Cipher.Open(sequence, packet, tag);
            }
            else if (keys.EncryptThenMac)
            {
                ok = keys.Mac!.Verify(sequence, packet, tag);
                if (ok)
                    keys.Cipher.Transform(packet[4..]);
            }
            else
            {
                keys.Cipher.Transform(packet[blockSize..]);
                ok = keys.Mac!.Verify(sequence, packet, tag);
            }
            if (!ok)
                throw new SshProtocolException("Corrupted MAC on input.", DisconnectReason.MacError).At(null, new SshFailureCause.IntegrityFailure());
        }

        int padding = packet[4];
        int payloadLength = (int)length - padding - 1;
        if (padding < 4 || payloadLength < 1)
            throw new SshProtocolException($"Bad packet: padding length {padding} in a packet of {length} bytes");

        int payloadStart = _start + 5;
        _start += total;
        Sequence = unchecked(sequence + 1);
        BytesSinceKeys += total;
        PacketsSinceKeys++;

        var payload = _buffer.Array.AsMemory(payloadStart, payloadLength);
        return _decompressor is null ? payload : _decompressor.Decompress(payload.Span, MaxPacketLength);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnsureAsync(int count, CancellationToken cancellationToken)
    {
        EnsureCapacity(count);
        while (_end - _start < count)
        {
            if (!await FillAsync(cancellationToken))
                throw new SshConnectionException($"Connection closed by {PeerDescription}").At(null, new SshFailureCause.ConnectionClosed());
        }
    }

    /// <summary>Reads whatever the stream has into the free end of the buffer; false at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        Resize();
        if (_start > 0 && (_start == _end || _buffer.Length - _end < Math.Min(32 * 1024, _buffer.Length / 2)))
        {
            _buffer.Array.AsSpan(_start, _end - _start).CopyTo(_buffer.Array);
            _end -= _start;
            _start = 0;
        }
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer.Array.AsMemory(_end), cancellationToken);
        }
        catch (IOException e)
        {
            throw new SshConnectionException($"Connection to {PeerDescription} lost: {e.Message}", e).At(null, new SshFailureCause.ConnectionLost(e.Message));
        }
        _lastReadFilled = read > 0 && _end + read == _buffer.Length;
        _end += read;
        _buffer.Touched(_end);
        return read > 0;
    }

    /// <summary>
    /// Bulk (after authentication): grows to the bulk size once a read has filled the buffer (more was waiting).
    /// Before: back to the small size whenever a larger packet has been consumed.
    /// </summary>
    private void Resize()
    {
        if (_bulk)
        {
            if (_lastReadFilled && _buffer.Length < BulkSize)
                MoveTo(BulkSize);
        }
        else if (_start == _end && _buffer.Length > PacketBuffer.SmallSize)
            MoveTo(PacketBuffer.SmallSize);
    }

    /// <summary>Makes room for <paramref name="count"/> bytes from the start of the unread data.</summary>
    private void EnsureCapacity(int count)
    {
        if (count > _buffer.Length)
            MoveTo(_bulk ? Math.Max(count, BulkSize) : count);
    }

    private void MoveTo(int size)
    {
        var unread = _end - _start;
        _buffer = _buffer.MoveTo(size, _start, unread);
        _start = 0;
        _end = unread;
    }

    public void Dispose()
    {
        _keys?.Dispose();
        _keys = null;
        _decompressor?.Dispose();
        _buffer.Return();
        _buffer = PacketBuffer.Empty;
    }
}
