using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>RFC 4253 section 7.2 key derivation, against values computed independently (Python hashlib) from the RFC's formula.</summary>
public sealed class KeyDerivationTests
{
    private static readonly byte[] Secret = [.. Enumerable.Range(0x80, 32).Select(i => (byte)i)]; // high bit set: mpint needs a sign byte
    private static readonly byte[] Hash = SHA256.HashData(Encoding.ASCII.GetBytes("H"));
    private static readonly byte[] SessionId = SHA256.HashData(Encoding.ASCII.GetBytes("S"));

    [Theory]
    [InlineData("curve25519-sha256", 'C', 64, "545fe421ad258b673a53244db8e7f5946d388533cfc118e720e1b0ba00770974aa1391b56c47911a25c54dc7fb10cf842ffda6983a9c39bd5dae75f8c929babd")]
    [InlineData("curve25519-sha256", 'A', 12, "84fdc4e5d25d2d479aa8f683")]
    // The hybrid post-quantum methods feed K in as a string (no sign byte, length 32), not an mpint.
    [InlineData("mlkem768x25519-sha256", 'C', 64, "82f280cb4868929b642b441d33315450181aa7cc418f520525e3c6322b58e1bdb9b0372c8425376f0bd28cd9bb95fd9a90ca796aef266d246e8d75ca5f999baf")]
    public void Derives_and_extends_keys(string kexName, char letter, int size, string expected)
    {
        var kex = AlgorithmRegistry.FindKex(kexName)!;
        using var kem = kex.Create();
        var encoded = kem.EncodeSharedSecret(Secret);
        Assert.Equal(expected, Convert.ToHexStringLower(KeyDerivation.DeriveKey(kex, encoded, Hash, letter, SessionId, size)));
    }
}
