namespace Lucid.Ssh.Crypto;

/// <summary>
/// One direction's cipher. Stream ciphers (AES-CTR) transform bytes in place in order and leave
/// authentication to a <see cref="PacketMac"/>; AEAD ciphers (AES-GCM, chacha20-poly1305) protect whole
/// packets including their length field. Packet layout: uint32 length, then length bytes, then the tag.
/// </summary>
internal abstract class PacketCipher : IDisposable
{
    /// <summary>Padding multiple (at least 8).</summary>
    public abstract int BlockSize { get; }

    /// <summary>The AEAD tag size; 0 for stream ciphers.</summary>
    public virtual int TagSize => 0;

    public bool IsAead => TagSize > 0;

    /// <summary>Stream ciphers: encrypts or decrypts <paramref name="data"/> in place (a multiple of BlockSize).</summary>
    public virtual void Transform(Span<byte> data) => throw new NotSupportedException();

    /// <summary>AEAD: encrypts <paramref name="packet"/> (length field first) in place and writes the tag.</summary>
    public virtual void Seal(uint sequence, Span<byte> packet, Span<byte> tag) => throw new NotSupportedException();

    /// <summary>
    /// AEAD: as <see cref="Seal"/>, for a packet whose payload is still elsewhere: <paramref name="payload"/> goes to
    /// <paramref name="packet"/> at <paramref name="payloadOffset"/> (the length, padding length and padding are
    /// already in place). A cipher that can encrypt from one buffer into another saves the copy.
    /// </summary>
    public virtual void SealFrom(uint sequence, Span<byte> packet, int payloadOffset, ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        payload.CopyTo(packet[payloadOffset..]);
        Seal(sequence, packet, tag);
    }

    /// <summary>AEAD: the packet length from the first four received bytes, which stay untouched.</summary>
    public virtual uint PeekLength(uint sequence, ReadOnlySpan<byte> first4) => throw new NotSupportedException();

    /// <summary>AEAD: checks the tag and decrypts everything after the length field in place; false for a forged packet.</summary>
    public virtual bool Open(uint sequence, Span<byte> packet, ReadOnlySpan<byte> tag) => throw new NotSupportedException();

    public abstract void Dispose();
}

/// <summary>One direction's MAC over (uint32 sequence number || data).</summary>
internal abstract class PacketMac : IDisposable
{
    public abstract int TagSize { get; }

    public abstract void Compute(uint sequence, ReadOnlySpan<byte> data, Span<byte> tag);

    /// <summary>Constant-time check of a received tag.</summary>
    public bool Verify(uint sequence, ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[64];
        expected = expected[..TagSize];
        Compute(sequence, data, expected);
        return tag.Length == TagSize && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    public abstract void Dispose();
}
