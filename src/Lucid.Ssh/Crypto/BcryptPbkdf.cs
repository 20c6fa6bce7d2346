using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// OpenBSD's bcrypt_pbkdf, the KDF of passphrase-protected openssh-key-v1 files: PBKDF2-like rounds
/// where the PRF is a bcrypt hash of SHA-512(passphrase) and SHA-512(salt || counter), and the output
/// bytes are spread across the blocks (strided) so every byte depends on the whole computation.
/// </summary>
public static class BcryptPbkdf
{
    private const int HashSize = 32;

    // bcrypt's magic plaintext: "OxychromaticBlowfishSwatDynamite".
    private static ReadOnlySpan<byte> Magic => "OxychromaticBlowfishSwatDynamite"u8;

    /// <summary>Fills <paramref name="output"/> (1 to 1024 bytes) from the passphrase, salt and round count.</summary>
    public static void DeriveKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, int rounds, Span<byte> output)
    {
        if (rounds < 1)
            throw new ArgumentOutOfRangeException(nameof(rounds), "bcrypt_pbkdf needs at least one round");
        if (output.Length == 0 || output.Length > HashSize * HashSize)
            throw new ArgumentOutOfRangeException(nameof(output), "bcrypt_pbkdf output must be 1 to 1024 bytes");
        if (salt.Length == 0 || salt.Length > 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(salt), "bcrypt_pbkdf salt must not be empty");

        int stride = (output.Length + HashSize - 1) / HashSize;
        int amount = (output.Length + stride - 1) / stride;

        Span<byte> passHash = stackalloc byte[64];
        Span<byte> saltHash = stackalloc byte[64];
        Span<byte> block = stackalloc byte[HashSize];
        Span<byte> accumulated = stackalloc byte[HashSize];
        var countSalt = new byte[salt.Length + 4];
        var blowfish = new Blowfish();
        try
        {
            SHA512.HashData(passphrase, passHash);
            salt.CopyTo(countSalt);
            int remaining = output.Length;
            for (uint count = 1; remaining > 0; count++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(countSalt.AsSpan(salt.Length), count);
                SHA512.HashData(countSalt, saltHash);
                Hash(blowfish, passHash, saltHash, block);
                block.CopyTo(accumulated);
                for (int round = 1; round < rounds; round++)
                {
                    SHA512.HashData(block, saltHash);
                    Hash(blowfish, passHash, saltHash, block);
                    for (int j = 0; j < HashSize; j++)
                        accumulated[j] ^= block[j];
                }

                // Byte i of this block lands at i * stride + (count - 1): blocks interleave.
                int take = Math.Min(amount, remaining);
                int written = 0;
                for (; written < take; written++)
                {
                    int destination = written * stride + (int)(count - 1);
                    if (destination >= output.Length)
                        break;
                    output[destination] = accumulated[written];
                }
                remaining -= written;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passHash);
            CryptographicOperations.ZeroMemory(saltHash);
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(accumulated);
            CryptographicOperations.ZeroMemory(countSalt);
            blowfish.Clear();
        }
    }

    /// <summary>The bcrypt hash at the core: Eksblowfish keyed by both SHA-512 digests, 64 rounds, then the magic text encrypted 64 times.</summary>
    private static void Hash(Blowfish blowfish, ReadOnlySpan<byte> passHash, ReadOnlySpan<byte> saltHash, Span<byte> output)
    {
        blowfish.Reset();
        blowfish.ExpandState(saltHash, passHash);
        for (int i = 0; i < 64; i++)
        {
            blowfish.ExpandState(saltHash);
            blowfish.ExpandState(passHash);
        }

        Span<uint> words = stackalloc uint[HashSize / 4];
        for (int i = 0; i < words.Length; i++)
            words[i] = BinaryPrimitives.ReadUInt32BigEndian(Magic[(4 * i)..]);
        for (int i = 0; i < 64; i++)
            blowfish.EncryptBlocks(words);

        // The words come out little-endian, unlike everything else in bcrypt.
        for (int i = 0; i < words.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * i)..], words[i]);
        words.Clear();
    }
}
