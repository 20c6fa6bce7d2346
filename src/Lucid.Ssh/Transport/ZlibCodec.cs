using System.IO.Compression;

namespace Lucid.Ssh.Transport;

/// <summary>
/// zlib / zlib@openssh.com: one zlib stream per direction for the life of the keys, flushed after every
/// packet (RFC 4253 section 6.2) so each packet decompresses on its own arrival.
/// </summary>
internal sealed class ZlibCodec : IDisposable
{
    private readonly ChunkStream _chunk = new();
    private readonly ZLibStream _zlib;
    private byte[] _output = new byte[64 * 1024];

    public ZlibCodec(bool compress)
    {
        _zlib = compress
            ? new ZLibStream(_chunk, CompressionLevel.Optimal, leaveOpen: true)
            : new ZLibStream(_chunk, CompressionMode.Decompress, leaveOpen: true);
    }

    public ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> payload)
    {
        _chunk.ResetOutput();
        _zlib.Write(payload);
        _zlib.Flush(); // Z_SYNC_FLUSH: everything so far is decodable by the peer now
        return _chunk.Output;
    }

    public ReadOnlyMemory<byte> Decompress(ReadOnlySpan<byte> compressed, int limit)
    {
        _chunk.SetInput(compressed);
        int total = 0;
        while (true)
        {
            if (total == _output.Length)
            {
                if (_output.Length >= limit)
                    throw new SshProtocolException("decompressed packet too large", DisconnectReason.CompressionError);
                Array.Resize(ref _output, Math.Min(limit, _output.Length * 2));
            }
            int read;
            try
            {
                read = _zlib.Read(_output, total, _output.Length - total);
            }
            // zlib's other refusals (a stream asking for a preset dictionary, ...) surface as ZLibException, an IOException
            // (the input is in memory: nothing else here can fail with one).
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new SshProtocolException($"decompression failed: {e.Message}", DisconnectReason.CompressionError);
            }
            if (read == 0)
                break;
            total += read;
        }
        if (total == 0)
            throw new SshProtocolException("compressed packet decoded to nothing", DisconnectReason.CompressionError);
        return _output.AsMemory(0, total);
    }

    public void Dispose() => _zlib.Dispose();

    /// <summary>Feeds one packet's bytes to the decompressor and collects the compressor's output.</summary>
    private sealed class ChunkStream : Stream
    {
        private byte[] _input = new byte[4096]; // reused: one packet's compressed bytes at a time
        private int _inputLength;
        private int _inputPosition;
        private readonly MemoryStream _output = new();

        public ReadOnlyMemory<byte> Output => _output.GetBuffer().AsMemory(0, (int)_output.Length);

        public void ResetOutput() => _output.SetLength(0);

        public void SetInput(ReadOnlySpan<byte> input)
        {
            if (input.Length > _input.Length)
                _input = new byte[Math.Max(input.Length, _input.Length * 2)];
            input.CopyTo(_input);
            _inputLength = input.Length;
            _inputPosition = 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, _inputLength - _inputPosition);
            _input.AsSpan(_inputPosition, n).CopyTo(buffer);
            _inputPosition += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _output.Write(buffer);
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
