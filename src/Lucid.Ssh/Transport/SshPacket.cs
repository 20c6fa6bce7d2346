using System.Buffers;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Transport;

/// <summary>
/// One decrypted SSH message payload (message number first) in a pooled buffer. The receiver owns it
/// and must dispose it once it has finished reading; never keep the payload past that.
/// </summary>
public readonly struct SshPacket : IDisposable
{
    private readonly byte[]? _buffer;
    private readonly int _length;

    private SshPacket(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>Copies <paramref name="payload"/> into a pooled buffer.</summary>
    public static SshPacket Copy(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
            throw new SshProtocolException("empty packet payload");
        var buffer = SshBufferPool.Shared.Rent(payload.Length);
        payload.CopyTo(buffer);
        return new SshPacket(buffer, payload.Length);
    }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> PayloadMemory => _buffer.AsMemory(0, _length);
    public MessageNumber Type => (MessageNumber)Payload[0];

    /// <summary>A reader positioned after the message number.</summary>
    public SshReader Reader() => new(Payload[1..]);

    public void Dispose()
    {
        if (_buffer is null)
            return;
        // Received payloads can hold passwords; wipe before the buffer goes back to the shared pool.
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        SshBufferPool.Shared.Return(_buffer);
    }
}
