using System.Text;
using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

public sealed class SodiumTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void Libsodium_is_available()
    {
        Assert.True(Sodium.IsAvailable);
    }

    // RFC 7748 section 5.2, first vector.
    [Fact]
    public void X25519_matches_rfc7748_scalar_multiplication_vector()
    {
        var shared = new byte[32];
        Assert.True(Sodium.X25519(shared,
            Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
        Assert.Equal("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Convert.ToHexStringLower(shared));
    }

    // RFC 7748 section 6.1: Alice and Bob derive each other's public keys and the same secret.
    [Fact]
    public void X25519_matches_rfc7748_diffie_hellman_vector()
    {
        var alicePrivate = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bobPrivate = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        var alicePublic = new byte[32];
        var bobPublic = new byte[32];
        Sodium.X25519Base(alicePublic, alicePrivate);
        Sodium.X25519Base(bobPublic, bobPrivate);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePublic));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bobPublic));
        var s1 = new byte[32];
        var s2 = new byte[32];
        Assert.True(Sodium.X25519(s1, alicePrivate, bobPublic));
        Assert.True(Sodium.X25519(s2, bobPrivate, alicePublic));
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(s1));
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void X25519_reports_a_low_order_point()
    {
        var shared = new byte[32];
        Assert.False(Sodium.X25519(shared, new byte[32].Select((_, i) => (byte)(i + 1)).ToArray(), new byte[32]));
    }

    // RFC 8032 section 7.1, tests 1 to 3.
    [Theory]
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void Ed25519_matches_rfc8032(string seed, string publicKey, string message, string signature)
    {
        var pk = new byte[32];
        var sk = new byte[64];
        Sodium.Ed25519KeyPairFromSeed(pk, sk, Hex(seed));
        Assert.Equal(publicKey, Convert.ToHexStringLower(pk));
        Assert.Equal(seed + publicKey, Convert.ToHexStringLower(sk));
        var sig = new byte[64];
        Sodium.Ed25519Sign(sig, Hex(message), sk);
        Assert.Equal(signature, Convert.ToHexStringLower(sig));
        Assert.True(Sodium.Ed25519Verify(sig, Hex(message), pk));
        sig[10] ^= 1;
        Assert.False(Sodium.Ed25519Verify(sig, Hex(message), pk));
        Assert.False(Sodium.Ed25519Verify(sig.AsSpan(0, 63), Hex(message), pk));
    }

    // RFC 8439 section 2.4.2. Its 96-bit nonce begins with four zero bytes, so it is also a vector for the
    // original 64-bit-nonce ChaCha20 (counter in words 12-13, nonce in 14-15) with the last eight nonce bytes.
    [Fact]
    public void ChaCha20_with_64_bit_nonce_and_initial_counter_matches_rfc8439_vector()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var nonce = Hex("0000004a00000000");
        var plaintext = Encoding.ASCII.GetBytes(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
        var ciphertext = new byte[plaintext.Length];
        Sodium.ChaCha20Xor(ciphertext, plaintext, nonce, 1, key);
        Assert.Equal(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b357" +
            "1639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
            "5af90bbf74a35be6b40b8eedf2785e42874d", Convert.ToHexStringLower(ciphertext));
        // In place decrypts.
        Sodium.ChaCha20Xor(ciphertext, ciphertext, nonce, 1, key);
        Assert.Equal(plaintext, ciphertext);
    }

    // RFC 8439 appendix A.1 test vectors 1 and 2: the all-zero key and nonce at block counters 0 and 1.
    [Theory]
    [InlineData(0UL, "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586")]
    [InlineData(1UL, "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f")]
    public void ChaCha20_keystream_block_matches_rfc8439_appendix(ulong counter, string keystream)
    {
        var block = new byte[64];
        Sodium.ChaCha20Xor(block, block, new byte[8], counter, new byte[32]);
        Assert.Equal(keystream, Convert.ToHexStringLower(block));
    }

    // RFC 8439 section 2.5.2.
    [Fact]
    public void Poly1305_matches_rfc8439_vector()
    {
        var key = Hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        var message = Encoding.ASCII.GetBytes("Cryptographic Forum Research Group");
        var tag = new byte[16];
        Sodium.Poly1305(tag, message, key);
        Assert.Equal("a8061dc1305136c6c22b8baf0c0127a9", Convert.ToHexStringLower(tag));
        Assert.True(Sodium.Poly1305Verify(tag, message, key));
        message[0] ^= 1;
        Assert.False(Sodium.Poly1305Verify(tag, message, key));
    }

    [Fact]
    public void Wrong_sizes_are_argument_errors()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sodium.X25519Base(new byte[32], new byte[31]));
        Assert.StartsWith("scalar must be 32 bytes, not 31", ex.Message);
    }
}
