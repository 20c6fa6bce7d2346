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
    [InlineData('C', 64, "545fe421ad258b673a53244db8e7f5946d388533cfc118e720e1b0ba00770974aa1391b56c47911a25c54dc7fb10cf842ffda6983a9c39bd5dae75f8c929babd")]
    [InlineData('A', 12, "84fdc4e5d25d2d479aa8f683")]
    public void Derives_and_extends_keys(char letter, int size, string expected)
    {
        var kex = AlgorithmRegistry.FindKex("curve25519-sha256")!;
        Assert.Equal(expected, Convert.ToHexStringLower(KeyDerivation.DeriveKey(kex, Secret, Hash, letter, SessionId, size)));
    }
}
