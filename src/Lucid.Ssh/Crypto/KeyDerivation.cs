using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Crypto;

/// <summary>The exchange-hash function of a KEX method and RFC 4253's key derivation from it.</summary>
internal static class KeyDerivation
{
    /// <summary>HASH(data) with the key exchange method's hash.</summary>
    public static byte[] Hash(KexAlgorithmInfo kex, ReadOnlySpan<byte> data) => Hash(kex.Hash, data);

    public static byte[] Hash(HashAlgorithmName hash, ReadOnlySpan<byte> data) => hash.Name switch
    {
        "SHA1" => SHA1.HashData(data),
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };

    /// <summary>
    /// RFC 4253 section 7.2: HASH(K || H || X || session_id), extended with HASH(K || H || K1 || ...) as needed.
    /// <paramref name="encodedSecret"/> is K as the exchange hash has it (<see cref="KeyExchangeMethod.EncodeSharedSecret"/>).
    /// </summary>
    public static byte[] DeriveKey(KexAlgorithmInfo kex, ReadOnlySpan<byte> encodedSecret, byte[] hash, char letter, byte[] sessionId, int size)
    {
        var result = new byte[size];
        if (size == 0)
            return result;
        using var prefix = new SshWriter(encodedSecret.Length + hash.Length + 16);
        prefix.WriteRaw(encodedSecret).WriteRaw(hash);
        using var input = new SshWriter(prefix.Length + sessionId.Length + size + 64);
        input.WriteRaw(prefix.WrittenSpan).WriteByte((byte)letter).WriteRaw(sessionId);
        var block = Hash(kex, input.WrittenSpan);
        int filled = 0;
        while (true)
        {
            int n = Math.Min(block.Length, size - filled);
            block.AsSpan(0, n).CopyTo(result.AsSpan(filled));
            CryptographicOperations.ZeroMemory(block);
            filled += n;
            if (filled == size)
                break;
            input.Clear();
            input.WriteRaw(prefix.WrittenSpan).WriteRaw(result.AsSpan(0, filled));
            block = Hash(kex, input.WrittenSpan);
        }
        return result;
    }
}
