namespace Lucid.Ssh.Crypto;

/// <summary>
/// The legacy CBC ciphers (RFC 4253: 3des-cbc, aes128/192/256-cbc), for old equipment, available only when a
/// configuration names them. One OpenSSL context per direction without padding: each call continues the
/// chain from the previous packet's last ciphertext block, as the protocol wants.
/// </summary>
internal sealed unsafe class CbcCipher : PacketCipher
{
    private readonly SafeEvpCipherCtx _ctx;
    private readonly int _blockSize;

    private CbcCipher(nint type, int blockSize, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt)
    {
        _blockSize = blockSize;
        _ctx = LibCrypto.NewCipherContext();
        fixed (byte* k = key, v = iv)
        {
            if (LibCrypto.EVP_CipherInit_ex(_ctx.DangerousGetHandle(), type, 0, k, v, encrypt ? 1 : 0) != 1 ||
                LibCrypto.EVP_CIPHER_CTX_set_padding(_ctx.DangerousGetHandle(), 0) != 1)
            {
                _ctx.Dispose();
                throw LibCrypto.Failure("CBC key setup");
            }
        }
    }

    public static CbcCipher Aes(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt) => new(key.Length switch
    {
        16 => LibCrypto.EVP_aes_128_cbc(),
        24 => LibCrypto.EVP_aes_192_cbc(),
        32 => LibCrypto.EVP_aes_256_cbc(),
        _ => throw new ArgumentException($"AES-CBC key must be 16, 24 or 32 bytes, not {key.Length}", nameof(key)),
    }, 16, key, iv[..16], encrypt);

    public static CbcCipher TripleDes(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt) =>
        new(LibCrypto.EVP_des_ede3_cbc(), 8, key[..24], iv[..8], encrypt);

    public override int BlockSize => _blockSize;

    public override void Transform(Span<byte> data) => LibCrypto.TransformBlocksInPlace(_ctx, data, _blockSize, "CBC");

    public override void Dispose() => _ctx.Dispose();
}
