using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// chacha20-poly1305@openssh.com (OpenSSH's PROTOCOL.chacha20poly1305): 64 bytes of key material make two
/// ChaCha20 keys: the first 32 bytes (K_2) encrypt the payload, the last 32 (K_1) only the 4-byte length.
/// The nonce is the packet sequence number; the Poly1305 key is K_2's key stream block 0 and the payload
/// starts at block 1; the tag covers the encrypted length and payload.
/// </summary>
internal sealed class ChaChaPolyCipher : PacketCipher
{
    private readonly byte[] _mainKey;
    private readonly byte[] _headerKey;

    public ChaChaPolyCipher(ReadOnlySpan<byte> key, bool encrypt)
    {
        Sodium.EnsureAvailable();
        _mainKey = key[..32].ToArray();
        _headerKey = key[32..64].ToArray();
    }

    public override int BlockSize => 8;
    public override int TagSize => 16;

    public override void Seal(uint sequence, Span<byte> packet, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequence);
        Span<byte> polyKey = stackalloc byte[32];
        PolyKey(nonce, polyKey);
        Sodium.ChaCha20Xor(packet[..4], packet[..4], nonce, 0, _headerKey);
        Sodium.ChaCha20Xor(packet[4..], packet[4..], nonce, 1, _mainKey);
        Sodium.Poly1305(tag, packet, polyKey);
        CryptographicOperations.ZeroMemory(polyKey);
    }

    public override uint PeekLength(uint sequence, ReadOnlySpan<byte> first4)
    {
        Span<byte> nonce = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequence);
        Span<byte> length = stackalloc byte[4];
        Sodium.ChaCha20Xor(length, first4, nonce, 0, _headerKey);
        return BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    public override bool Open(uint sequence, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequence);
        Span<byte> polyKey = stackalloc byte[32];
        PolyKey(nonce, polyKey);
        bool ok = Sodium.Poly1305Verify(tag, packet, polyKey);
        CryptographicOperations.ZeroMemory(polyKey);
        if (!ok)
            return false;
        Sodium.ChaCha20Xor(packet[4..], packet[4..], nonce, 1, _mainKey);
        return true;
    }

    private void PolyKey(ReadOnlySpan<byte> nonce, Span<byte> polyKey)
    {
        polyKey.Clear();
        Sodium.ChaCha20Xor(polyKey, polyKey, nonce, 0, _mainKey);
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_mainKey);
        CryptographicOperations.ZeroMemory(_headerKey);
    }
}
