using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>hmac-sha2-256/512 and hmac-sha1 (and their -etm variants: same MAC, different input).</summary>
internal sealed class HmacMac : PacketMac
{
    private readonly IncrementalHash _hmac;
    private readonly int _tagSize;

    public HmacMac(HashAlgorithmName hash, ReadOnlySpan<byte> key)
    {
        _hmac = IncrementalHash.CreateHMAC(hash, key);
        _tagSize = _hmac.HashLengthInBytes;
    }

    public override int TagSize => _tagSize;

    public override void Compute(uint sequence, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        Span<byte> seq = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(seq, sequence);
        _hmac.AppendData(seq);
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(tag);
    }

    public override void Dispose() => _hmac.Dispose();
}
