using System.Security.Cryptography;
using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Keys;

/// <summary>
/// The ciphers an openssh-key-v1 private section may be encrypted with, looked up by name. Only used on
/// whole key files (a few kilobytes), so simplicity beats speed here.
/// </summary>
internal sealed class OpenSshKeyCipher
{
    private enum Mode { None, Ctr, Cbc, Gcm, ChaChaPoly }

    private readonly Mode _mode;

    private OpenSshKeyCipher(string name, Mode mode, int keySize, int ivSize, int blockSize, int tagSize)
    {
        Name = name;
        _mode = mode;
        KeySize = keySize;
        IvSize = ivSize;
        BlockSize = blockSize;
        TagSize = tagSize;
    }

    public const string DefaultName = "aes256-ctr";

    public string Name { get; }
    public int KeySize { get; }
    public int IvSize { get; }
    public int BlockSize { get; }

    /// <summary>Bytes of authentication tag stored after the encrypted section (GCM only).</summary>
    public int TagSize { get; }

    public bool IsNone => _mode == Mode.None;

    public static OpenSshKeyCipher? Find(string name) => name switch
    {
        "none" => new(name, Mode.None, 0, 0, 8, 0),
        "aes128-ctr" => new(name, Mode.Ctr, 16, 16, 16, 0),
        "aes192-ctr" => new(name, Mode.Ctr, 24, 16, 16, 0),
        "aes256-ctr" => new(name, Mode.Ctr, 32, 16, 16, 0),
        "aes128-cbc" => new(name, Mode.Cbc, 16, 16, 16, 0),
        "aes192-cbc" => new(name, Mode.Cbc, 24, 16, 16, 0),
        "aes256-cbc" => new(name, Mode.Cbc, 32, 16, 16, 0),
        "aes128-gcm@openssh.com" => new(name, Mode.Gcm, 16, 12, 16, 16),
        "aes256-gcm@openssh.com" => new(name, Mode.Gcm, 32, 12, 16, 16),
        "chacha20-poly1305@openssh.com" => new(name, Mode.ChaChaPoly, 64, 0, 8, 16),
        _ => null,
    };

    /// <summary>Encrypts <paramref name="input"/> (a whole number of blocks) into <paramref name="output"/>, then the tag if any.</summary>
    public void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> tag)
    {
        switch (_mode)
        {
            case Mode.None:
                input.CopyTo(output);
                break;
            case Mode.Ctr:
                Ctr(key, iv, input, output);
                break;
            case Mode.Cbc:
                using (var aes = Aes.Create())
                {
                    aes.SetKey(key);
                    aes.EncryptCbc(input, iv, output, PaddingMode.None);
                }
                break;
            case Mode.Gcm:
                using (var gcm = new AesGcm(key, TagSize))
                    gcm.Encrypt(iv, input, output, tag);
                break;
            case Mode.ChaChaPoly:
                ChaChaPoly(key, input, output, tag, encrypt: true);
                break;
        }
    }

    /// <summary>Decrypts; false when an authenticated mode's tag does not match (a wrong passphrase).</summary>
    public bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, ReadOnlySpan<byte> tag, Span<byte> output)
    {
        switch (_mode)
        {
            case Mode.None:
                input.CopyTo(output);
                return true;
            case Mode.Ctr:
                Ctr(key, iv, input, output);
                return true;
            case Mode.Cbc:
                using (var aes = Aes.Create())
                {
                    aes.SetKey(key);
                    aes.DecryptCbc(input, iv, output, PaddingMode.None);
                }
                return true;
            case Mode.ChaChaPoly:
                return ChaChaPoly(key, input, output, tag.ToArray(), encrypt: false);
            default:
                try
                {
                    using var gcm = new AesGcm(key, TagSize);
                    gcm.Decrypt(iv, input, tag, output);
                    return true;
                }
                catch (AuthenticationTagMismatchException)
                {
                    return false;
                }
        }
    }

    // chacha20-poly1305@openssh.com with sequence number 0 and no length header: the Poly1305 key is the first
    // keystream block (counter 0) under the first 32 key bytes, the data is encrypted from counter 1, the tag
    // covers the ciphertext. (The second key half only encrypts packet lengths, unused for key files.)
    private static bool ChaChaPoly(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> tag, bool encrypt)
    {
        var mainKey = key[..32];
        Span<byte> nonce = stackalloc byte[8];
        nonce.Clear();
        Span<byte> polyKey = stackalloc byte[32];
        polyKey.Clear();
        Sodium.ChaCha20Xor(polyKey, polyKey, nonce, 0, mainKey);
        try
        {
            if (!encrypt && !Sodium.Poly1305Verify(tag, input, polyKey))
                return false;
            Sodium.ChaCha20Xor(output, input, nonce, 1, mainKey);
            if (encrypt)
                Sodium.Poly1305(tag, output[..input.Length], polyKey);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(polyKey);
        }
    }

    // CTR: AES-ECB over a big-endian 128-bit counter starting at the IV, XORed with the data.
    private static void Ctr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int blocks = (input.Length + 15) / 16;
        var counters = new byte[blocks * 16];
        var keystream = new byte[blocks * 16];
        Span<byte> counter = stackalloc byte[16];
        iv.CopyTo(counter);
        for (int b = 0; b < blocks; b++)
        {
            counter.CopyTo(counters.AsSpan(b * 16));
            for (int i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }
        using (var aes = Aes.Create())
        {
            aes.SetKey(key);
            aes.EncryptEcb(counters, keystream, PaddingMode.None);
        }
        for (int i = 0; i < input.Length; i++)
            output[i] = (byte)(input[i] ^ keystream[i]);
        CryptographicOperations.ZeroMemory(keystream);
    }
}
