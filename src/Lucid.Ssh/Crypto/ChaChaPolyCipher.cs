using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// chacha20-poly1305@openssh.com (OpenSSH's PROTOCOL.chacha20poly1305): 64 bytes of key material make two
/// ChaCha20 keys: the first 32 bytes (K_2) encrypt the payload, the last 32 (K_1) only the 4-byte length.
/// The nonce is the packet sequence number; the Poly1305 key is K_2's key stream block 0 and the payload
/// starts at block 1; the tag covers the encrypted length and payload.
/// </summary>
/// <remarks>
/// ChaCha20 and Poly1305 come from OpenSSL (one keyed EVP_CIPHER_CTX per key, one EVP_MAC_CTX re-keyed per
/// packet): its vectorised code seals about three times as fast as libsodium's here (bench/cipher-bench.sh).
/// OpenSSL's ChaCha20 takes a 16-byte IV that fills state words 12–15; OpenSSH's original ChaCha20 has a 64-bit
/// block counter (words 12–13, little-endian) and a 64-bit nonce (words 14–15), so the IV is the block counter
/// as 8 little-endian bytes, then the sequence number as 8 big-endian bytes. OpenSSL carries only word 12
/// between blocks, which is the whole counter for any packet under 256 GiB.
/// </remarks>
internal sealed unsafe class ChaChaPolyCipher : PacketCipher
{
    private const int PolyKeySize = 32;
    private readonly SafeEvpCipherCtx _main;
    private readonly SafeEvpCipherCtx _header;
    private readonly SafeEvpMacCtx _poly;

    public ChaChaPolyCipher(ReadOnlySpan<byte> key, bool encrypt)
    {
        if (key.Length < 64)
            throw new ArgumentException($"chacha20-poly1305 needs 64 bytes of key material, not {key.Length}", nameof(key));
        _main = NewKeyed(key[..32]);
        _header = NewKeyed(key[32..64]);
        _poly = LibCrypto.NewPoly1305Context();
    }

    private static SafeEvpCipherCtx NewKeyed(ReadOnlySpan<byte> key)
    {
        var ctx = LibCrypto.NewCipherContext();
        fixed (byte* k = key)
        {
            if (LibCrypto.EVP_CipherInit_ex(ctx.DangerousGetHandle(), LibCrypto.EVP_chacha20(), 0, k, null, 1) != 1)
            {
                ctx.Dispose();
                throw LibCrypto.Failure("ChaCha20 key setup");
            }
        }
        return ctx;
    }

    public override int BlockSize => 8;
    public override int TagSize => 16;

    public override void Seal(uint sequence, Span<byte> packet, Span<byte> tag) =>
        SealFrom(sequence, packet, packet.Length, [], tag);

    public override void SealFrom(uint sequence, Span<byte> packet, int payloadOffset, ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        if (payloadOffset < 4 || payloadOffset + payload.Length > packet.Length)
            throw new ArgumentOutOfRangeException(nameof(payloadOffset));
        using var use = new Use(this);
        Span<byte> polyKey = stackalloc byte[PolyKeySize];
        PolyKey(sequence, polyKey);
        Xor(_header, sequence, 0, packet[..4]);
        EncryptBody(sequence, packet, payloadOffset, payload);
        Poly1305(polyKey, packet, tag);
        CryptographicOperations.ZeroMemory(polyKey);
    }

    /// <summary>
    /// K_2's key stream from block 1 over everything after the length field, the payload read from its own buffer:
    /// ChaCha20 is a stream cipher, so three updates come out as one over the whole body would.
    /// </summary>
    private void EncryptBody(uint sequence, Span<byte> packet, int payloadOffset, ReadOnlySpan<byte> payload)
    {
        byte* iv = stackalloc byte[16];
        WriteIv(iv, 1, sequence);
        var handle = _main.DangerousGetHandle();
        int afterPayload = payloadOffset + payload.Length;
        fixed (byte* p = packet, source = payload)
        {
            if (LibCrypto.EVP_CipherInit_ex(handle, 0, 0, null, iv, 1) != 1
                || !LibCrypto.CipherUpdateExact(handle, p + 4, p + 4, payloadOffset - 4)
                || !LibCrypto.CipherUpdateExact(handle, p + payloadOffset, source, payload.Length)
                || !LibCrypto.CipherUpdateExact(handle, p + afterPayload, p + afterPayload, packet.Length - afterPayload))
                throw LibCrypto.Failure("ChaCha20");
        }
    }

    public override uint PeekLength(uint sequence, ReadOnlySpan<byte> first4)
    {
        using var use = new Use(this);
        Span<byte> length = stackalloc byte[4];
        first4.CopyTo(length);
        Xor(_header, sequence, 0, length);
        return BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    public override bool Open(uint sequence, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        using var use = new Use(this);
        Span<byte> polyKey = stackalloc byte[PolyKeySize];
        Span<byte> expected = stackalloc byte[16];
        PolyKey(sequence, polyKey);
        Poly1305(polyKey, packet, expected);
        CryptographicOperations.ZeroMemory(polyKey);
        if (tag.Length != 16 || !CryptographicOperations.FixedTimeEquals(expected, tag))
            return false;
        Xor(_main, sequence, 1, packet[4..]);
        return true;
    }

    /// <summary>The packet's Poly1305 key: the first 32 bytes of K_2's key stream block 0 for this sequence number.</summary>
    private void PolyKey(uint sequence, Span<byte> polyKey)
    {
        polyKey.Clear();
        Xor(_main, sequence, 0, polyKey);
    }

    /// <summary>XORs <paramref name="data"/> in place with the key stream from <paramref name="block"/> under nonce = sequence number.</summary>
    private static void Xor(SafeEvpCipherCtx ctx, uint sequence, ulong block, Span<byte> data)
    {
        byte* iv = stackalloc byte[16];
        WriteIv(iv, block, sequence);
        var handle = ctx.DangerousGetHandle();
        fixed (byte* p = data)
        {
            if (LibCrypto.EVP_CipherInit_ex(handle, 0, 0, null, iv, 1) != 1 || !LibCrypto.CipherUpdateExact(handle, p, p, data.Length))
                throw LibCrypto.Failure("ChaCha20");
        }
    }

    /// <summary>OpenSSL's 16-byte ChaCha20 IV for OpenSSH's layout: the block counter little-endian, then the sequence number big-endian.</summary>
    private static void WriteIv(byte* iv, ulong block, uint sequence)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(iv, 8), block);
        BinaryPrimitives.WriteUInt64BigEndian(new Span<byte>(iv + 8, 8), sequence);
    }

    private void Poly1305(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        var handle = _poly.DangerousGetHandle();
        fixed (byte* k = key, d = data, t = tag)
        {
            nuint written;
            if (LibCrypto.EVP_MAC_init(handle, k, (nuint)key.Length, 0) != 1 ||
                LibCrypto.EVP_MAC_update(handle, d, (nuint)data.Length) != 1 ||
                LibCrypto.EVP_MAC_final(handle, t, &written, 16) != 1 || written != 16)
                throw LibCrypto.Failure("Poly1305");
        }
    }

    /// <summary>
    /// Holds a reference on the three OpenSSL contexts for one packet operation, so a Dispose on another thread
    /// cannot free them mid-call (a use after Dispose throws ObjectDisposedException instead).
    /// </summary>
    private readonly ref struct Use
    {
        private readonly ChaChaPolyCipher _cipher;
        private readonly bool _main, _header, _poly;

        public Use(ChaChaPolyCipher cipher)
        {
            _cipher = cipher;
            try
            {
                cipher._main.DangerousAddRef(ref _main);
                cipher._header.DangerousAddRef(ref _header);
                cipher._poly.DangerousAddRef(ref _poly);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (_main)
                _cipher._main.DangerousRelease();
            if (_header)
                _cipher._header.DangerousRelease();
            if (_poly)
                _cipher._poly.DangerousRelease();
        }
    }

    public override void Dispose()
    {
        _main.Dispose();
        _header.Dispose();
        _poly.Dispose();
    }
}
