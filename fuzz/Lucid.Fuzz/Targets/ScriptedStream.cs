using System.Buffers.Binary;
using System.Text;

namespace Lucid.Fuzz.Targets;

/// <summary>
/// The peer's side of a connection played from a script: reads return the scripted bytes (in small pieces, as a
/// socket would), then end of stream; whatever the product writes is discarded.
/// </summary>
internal sealed class ScriptedStream(byte[] script, int chunk = 1500) : Stream
{
    private int _position;

    /// <summary>A peer that sends <paramref name="version"/> and then each message as a cleartext binary packet.</summary>
    public static ScriptedStream Handshake(string version, IEnumerable<byte[]> messages)
    {
        using var output = new MemoryStream();
        output.Write(Encoding.ASCII.GetBytes(version + "\r\n"));
        foreach (var message in messages)
            WriteCleartextPacket(output, message);
        return new ScriptedStream(output.ToArray());
    }

    /// <summary>RFC 4253 section 6 before the first NEWKEYS: length, padding length, payload, 4+ bytes of padding, 8-byte aligned.</summary>
    public static void WriteCleartextPacket(Stream output, ReadOnlySpan<byte> payload)
    {
        int padding = 8 - (5 + payload.Length) % 8;
        if (padding < 4)
            padding += 8;
        Span<byte> header = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(1 + payload.Length + padding));
        header[4] = (byte)padding;
        output.Write(header);
        output.Write(payload);
        output.Write(new byte[padding]);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, chunk), script.Length - _position);
        script.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Write(byte[] buffer, int offset, int count) { }
    public override void Write(ReadOnlySpan<byte> buffer) { }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
