using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>chacha20-poly1305@openssh.com against the worked example of draft-ietf-sshm-chacha20-poly1305 (Appendix A).</summary>
public sealed class PacketCipherVectorTests
{
    private const string KeyMaterial =
        "8bbff6855fc102338c373e73aac0c914f076a905b2444a32eecaffeae22becc5e9b7a7a5825a8249346ec1c28301cf394543fc7569887d76e168f37562ac0740";
    private const string Plain =
        "00000048" + "065e00000000000000384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c69744e43e804dc6c";
    private const string Sealed =
        "2c3ecce4" + "a5bc05895bf07a7ba956b6c68829ac7c83b780b7000ecde745afc705bbc378ce03a280236b87b53bed58396623" +
        "02b164b6286a48cd1e097138e3cb909b8b2b829dd18d2a35ff82d9";
    private const string Tag = "95349e855bf02c298ef775f2d1a7e8b8";

    [Fact]
    public void Seals_the_worked_example()
    {
        using var cipher = new ChaChaPolyCipher(Convert.FromHexString(KeyMaterial), encrypt: true);
        var packet = Convert.FromHexString(Plain);
        var tag = new byte[16];
        cipher.Seal(7, packet, tag);
        Assert.Equal(Sealed, Convert.ToHexStringLower(packet));
        Assert.Equal(Tag, Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void Opens_the_worked_example_and_refuses_a_flipped_bit()
    {
        using var cipher = new ChaChaPolyCipher(Convert.FromHexString(KeyMaterial), encrypt: false);
        var packet = Convert.FromHexString(Sealed);
        Assert.Equal(0x48u, cipher.PeekLength(7, packet.AsSpan(0, 4)));
        var forged = (byte[])packet.Clone();
        forged[10] ^= 1;
        Assert.False(cipher.Open(7, forged, Convert.FromHexString(Tag)));
        Assert.False(cipher.Open(8, (byte[])packet.Clone(), Convert.FromHexString(Tag)));
        Assert.True(cipher.Open(7, packet, Convert.FromHexString(Tag)));
        Assert.Equal(Plain[8..], Convert.ToHexStringLower(packet)[8..]);
    }

    /// <summary>
    /// The cipher runs on OpenSSL's ChaCha20 and Poly1305; libsodium's original-ChaCha20 (64-bit counter and nonce)
    /// is the independent reference: sequence numbers up to 2^32-1 and sizes around ChaCha20's 64-byte blocks.
    /// </summary>
    [Theory]
    [InlineData(0u, 8)]
    [InlineData(1u, 60)]
    [InlineData(3u, 124)]
    [InlineData(0x01020304u, 4092)]
    [InlineData(uint.MaxValue, 32772)]
    public void Matches_the_construction_built_from_libsodium(uint sequence, int length)
    {
        var key = new byte[64];
        new Random(length).NextBytes(key);
        var plain = new byte[length];
        new Random(~length).NextBytes(plain);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(plain, (uint)(length - 4));

        var nonce = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce, sequence);
        var expected = (byte[])plain.Clone();
        Sodium.ChaCha20Xor(expected.AsSpan(0, 4), expected.AsSpan(0, 4), nonce, 0, key.AsSpan(32, 32));
        Sodium.ChaCha20Xor(expected.AsSpan(4), expected.AsSpan(4), nonce, 1, key.AsSpan(0, 32));
        var polyKey = new byte[32];
        Sodium.ChaCha20Xor(polyKey, polyKey, nonce, 0, key.AsSpan(0, 32));
        var expectedTag = new byte[16];
        Sodium.Poly1305(expectedTag, expected, polyKey);

        using var sealer = new ChaChaPolyCipher(key, encrypt: true);
        var packet = (byte[])plain.Clone();
        var tag = new byte[16];
        sealer.Seal(sequence, packet, tag);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet));
        Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));

        using var opener = new ChaChaPolyCipher(key, encrypt: false);
        Assert.Equal((uint)(length - 4), opener.PeekLength(sequence, packet.AsSpan(0, 4)));
        Assert.True(opener.Open(sequence, packet, tag));
        Assert.Equal(Convert.ToHexString(plain.AsSpan(4)), Convert.ToHexString(packet.AsSpan(4)));
    }
}
