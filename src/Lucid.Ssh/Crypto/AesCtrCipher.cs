namespace Lucid.Ssh.Crypto;

/// <summary>
/// aes128/192/256-ctr (RFC 4344): AES over a big-endian 128-bit counter. One OpenSSL EVP_CIPHER_CTX per
/// direction, keyed once; each call continues the key stream where the previous one stopped, so the
/// counter runs across packets exactly as the protocol wants.
/// </summary>
internal sealed unsafe class AesCtrCipher : PacketCipher
{
    private readonly SafeEvpCipherCtx _ctx;

    public AesCtrCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length is not (16 or 24 or 32))
            throw new ArgumentException($"AES-CTR key must be 16, 24 or 32 bytes, not {key.Length}", nameof(key));
        if (iv.Length < 16)
            throw new ArgumentException($"AES-CTR IV must be 16 bytes, not {iv.Length}", nameof(iv));
        _ctx = LibCrypto.NewCipherContext();
        nint type = key.Length switch
        {
            16 => LibCrypto.EVP_aes_128_ctr(),
            24 => LibCrypto.EVP_aes_192_ctr(),
            _ => LibCrypto.EVP_aes_256_ctr(),
        };
        fixed (byte* k = key, v = iv)
        {
            if (LibCrypto.EVP_CipherInit_ex(_ctx.DangerousGetHandle(), type, 0, k, v, 1) != 1)
            {
                _ctx.Dispose();
                throw LibCrypto.Failure("AES-CTR key setup");
            }
        }
    }

    public override int BlockSize => 16;

    public override void Transform(Span<byte> data) => LibCrypto.TransformBlocksInPlace(_ctx, data, 16, "AES-CTR");

    public override void Dispose() => _ctx.Dispose();
}
