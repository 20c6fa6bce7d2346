namespace Lucid.Ssh.Crypto;

/// <summary>umac-64@openssh.com / umac-128@openssh.com (RFC 4418); the nonce is the 64-bit sequence number.</summary>
internal sealed class UmacMac : PacketMac
{
    private readonly Umac _umac;
    private readonly byte[] _nonce = new byte[8];

    public UmacMac(ReadOnlySpan<byte> key, int tagSize) => _umac = new Umac(key, tagSize);

    public override int TagSize => _umac.TagSize;

    public override void Compute(uint sequence, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_nonce, sequence);
        _umac.Compute(data, _nonce, tag);
    }

    public override void Dispose() => _umac.Dispose();
}
