using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647 as OpenSSH uses it): the length field is
/// authenticated but not encrypted; the 12-byte nonce is a fixed 4-byte field and a 64-bit invocation
/// counter that is incremented after every packet.
/// </summary>
/// <remarks>
/// One OpenSSL EVP_CIPHER_CTX per direction holds the expanded key and GHASH tables for the life of the
/// keys; each packet only sets the nonce. (.NET's AesGcm builds a fresh context per call, which cost about
/// a third of the time at 32 KiB packets.)
/// </remarks>
internal sealed unsafe class AesGcmCipher : PacketCipher
{
    private const int TagLength = 16;
    private readonly SafeEvpCipherCtx _ctx;
    private readonly byte[] _nonce = new byte[12];

    public AesGcmCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt)
    {
        if (key.Length is not (16 or 32))
            throw new ArgumentException($"AES-GCM key must be 16 or 32 bytes, not {key.Length}", nameof(key));
        if (iv.Length < 12)
            throw new ArgumentException($"AES-GCM IV must be 12 bytes, not {iv.Length}", nameof(iv));
        int enc = encrypt ? 1 : 0;
        _ctx = LibCrypto.NewCipherContext();
        nint ctx = _ctx.DangerousGetHandle();
        nint type = key.Length == 16 ? LibCrypto.EVP_aes_128_gcm() : LibCrypto.EVP_aes_256_gcm();
        fixed (byte* k = key)
        {
            if (LibCrypto.EVP_CipherInit_ex(ctx, type, 0, null, null, enc) != 1
                || LibCrypto.EVP_CIPHER_CTX_ctrl(ctx, LibCrypto.EVP_CTRL_AEAD_SET_IVLEN, 12, null) != 1
                || LibCrypto.EVP_CipherInit_ex(ctx, 0, 0, k, null, enc) != 1)
            {
                _ctx.Dispose();
                throw LibCrypto.Failure("AES-GCM key setup");
            }
        }
        iv[..12].CopyTo(_nonce);
    }

    public override int BlockSize => 16;
    public override int TagSize => TagLength;

    public override void Seal(uint sequence, Span<byte> packet, Span<byte> tag) =>
        SealFrom(sequence, packet, packet.Length, [], tag);

    /// <remarks>
    /// The body is encrypted in three updates (what precedes the payload, the payload from its own buffer, what
    /// follows it): GCM is a stream mode, so the pieces come out as one encryption of the whole body would.
    /// </remarks>
    public override void SealFrom(uint sequence, Span<byte> packet, int payloadOffset, ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        if (tag.Length < TagLength)
            throw new ArgumentException("tag buffer too small", nameof(tag));
        if (payloadOffset < 4 || payloadOffset + payload.Length > packet.Length)
            throw new ArgumentOutOfRangeException(nameof(payloadOffset));
        bool added = false;
        _ctx.DangerousAddRef(ref added);
        try
        {
            nint ctx = _ctx.DangerousGetHandle();
            fixed (byte* p = packet, t = tag, n = _nonce, source = payload)
            {
                int afterPayload = payloadOffset + payload.Length;
                int finalLength;
                if (LibCrypto.EVP_CipherInit_ex(ctx, 0, 0, null, n, 1) != 1
                    || LibCrypto.EVP_CipherUpdate(ctx, null, &finalLength, p, 4) != 1
                    || !LibCrypto.CipherUpdateExact(ctx, p + 4, p + 4, payloadOffset - 4)
                    || !LibCrypto.CipherUpdateExact(ctx, p + payloadOffset, source, payload.Length)
                    || !LibCrypto.CipherUpdateExact(ctx, p + afterPayload, p + afterPayload, packet.Length - afterPayload)
                    || LibCrypto.EVP_CipherFinal_ex(ctx, p + packet.Length, &finalLength) != 1 || finalLength != 0
                    || LibCrypto.EVP_CIPHER_CTX_ctrl(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TagLength, t) != 1)
                    throw LibCrypto.Failure("AES-GCM encryption");
            }
        }
        finally
        {
            if (added)
                _ctx.DangerousRelease();
        }
        Increment();
    }

    public override uint PeekLength(uint sequence, ReadOnlySpan<byte> first4) => BinaryPrimitives.ReadUInt32BigEndian(first4);

    /// <remarks>
    /// OpenSSL decrypts in place before it can check the tag, so on a forged packet the body is wiped
    /// before returning false: no unauthenticated plaintext is left behind (as .NET's AesGcm does).
    /// </remarks>
    public override bool Open(uint sequence, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        if (tag.Length != TagLength)
            return false;
        var body = packet[4..];
        bool authentic;
        bool added = false;
        _ctx.DangerousAddRef(ref added);
        try
        {
            nint ctx = _ctx.DangerousGetHandle();
            fixed (byte* p = packet, t = tag, n = _nonce)
            {
                int outLength;
                int bodyLength = body.Length;
                if (LibCrypto.EVP_CipherInit_ex(ctx, 0, 0, null, n, 0) != 1
                    || LibCrypto.EVP_CipherUpdate(ctx, null, &outLength, p, 4) != 1
                    || LibCrypto.EVP_CipherUpdate(ctx, p + 4, &outLength, p + 4, bodyLength) != 1 || outLength != bodyLength
                    || LibCrypto.EVP_CIPHER_CTX_ctrl(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TagLength, t) != 1)
                {
                    CryptographicOperations.ZeroMemory(body);
                    throw LibCrypto.Failure("AES-GCM decryption");
                }
                // Final only compares the tag (GCM has no buffered bytes); 0 means the tag did not match.
                authentic = LibCrypto.EVP_CipherFinal_ex(ctx, p + 4 + bodyLength, &outLength) == 1;
            }
        }
        finally
        {
            if (added)
                _ctx.DangerousRelease();
        }
        if (!authentic)
        {
            CryptographicOperations.ZeroMemory(body);
            LibCrypto.ERR_clear_error();
            return false;
        }
        Increment();
        return true;
    }

    private void Increment()
    {
        var counter = _nonce.AsSpan(4);
        BinaryPrimitives.WriteUInt64BigEndian(counter, BinaryPrimitives.ReadUInt64BigEndian(counter) + 1);
    }

    public override void Dispose()
    {
        _ctx.Dispose();
        CryptographicOperations.ZeroMemory(_nonce);
    }
}
