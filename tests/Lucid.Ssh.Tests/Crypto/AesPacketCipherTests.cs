using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>
/// AES-GCM, AES-CTR and HMAC as the packet layer uses them (OpenSSL EVP contexts kept per direction), against
/// published vectors and against .NET's own AesGcm / AES-ECB / HMAC as independent references.
/// </summary>
public sealed class AesPacketCipherTests
{
    // --- AES-GCM -----------------------------------------------------------------------------------

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Gcm_seals_like_dotnet_AesGcm_with_the_invocation_counter_advancing(int keySize)
    {
        var key = RandomNumberGenerator.GetBytes(keySize);
        // The counter's low 32 bits are about to wrap: the increment must carry inside the 64-bit counter.
        var iv = Convert.FromHexString("0102030400000000fffffffe");
        using var cipher = new AesGcmCipher(key, iv, encrypt: true);
        using var reference = new AesGcm(key, 16);
        var nonce = (byte[])iv.Clone();
        var random = new Random(keySize);
        foreach (int bodyLength in new[] { 16, 32, 48, 1024, 32768 + 16, 80 })
        {
            var packet = new byte[4 + bodyLength];
            random.NextBytes(packet);
            var expected = new byte[bodyLength];
            var expectedTag = new byte[16];
            reference.Encrypt(nonce, packet.AsSpan(4), expected, expectedTag, packet.AsSpan(0, 4));

            var length = packet[..4];
            var tag = new byte[16];
            cipher.Seal(0, packet, tag);

            Assert.Equal(length, packet[..4]);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet.AsSpan(4)));
            Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) + 1);
        }
        Assert.Equal("010203040000000100000004", Convert.ToHexStringLower(nonce));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(27)]
    [InlineData(1000)]
    [InlineData(131072)]
    public void Gcm_seals_a_payload_from_its_own_buffer_as_if_it_had_been_copied_into_the_packet(int payloadLength)
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(12);
        using var cipher = new AesGcmCipher(key, iv, encrypt: true);
        using var reference = new AesGcm(key, 16);
        // uint32 length, padding length, payload, padding: a body of whole blocks, as the packet writer lays it out.
        var payload = RandomNumberGenerator.GetBytes(payloadLength);
        int padding = 16 - (1 + payloadLength) % 16;
        if (padding < 4)
            padding += 16;
        var packet = new byte[4 + 1 + payloadLength + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packet.Length - 4));
        packet[4] = (byte)padding;
        RandomNumberGenerator.Fill(packet.AsSpan(5 + payloadLength));
        var whole = (byte[])packet.Clone();
        payload.CopyTo(whole, 5);
        var expected = new byte[whole.Length - 4];
        var expectedTag = new byte[16];
        reference.Encrypt(iv, whole.AsSpan(4), expected, expectedTag, whole.AsSpan(0, 4));

        var tag = new byte[16];
        cipher.SealFrom(0, packet, 5, payload, tag);

        Assert.Equal(Convert.ToHexString(whole[..4]), Convert.ToHexString(packet[..4]));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet.AsSpan(4)));
        Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Gcm_opens_what_it_sealed_packet_after_packet(int keySize)
    {
        var key = RandomNumberGenerator.GetBytes(keySize);
        var iv = RandomNumberGenerator.GetBytes(12);
        using var sealer = new AesGcmCipher(key, iv, encrypt: true);
        using var opener = new AesGcmCipher(key, iv, encrypt: false);
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var plain = new byte[4 + 16 * random.Next(1, 300)];
            random.NextBytes(plain);
            var packet = (byte[])plain.Clone();
            var tag = new byte[16];
            sealer.Seal((uint)i, packet, tag);
            Assert.NotEqual(plain.AsSpan(4).ToArray(), packet.AsSpan(4).ToArray());
            Assert.True(opener.Open((uint)i, packet, tag));
            Assert.Equal(plain, packet);
        }
    }

    public static TheoryData<string, int> Forgeries => new()
    {
        { "length", 2 }, { "first body byte", 4 }, { "last body byte", 4 + 63 }, { "tag", -1 },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void Gcm_refuses_a_forged_packet_wipes_its_body_and_still_opens_the_genuine_one(string what, int offset)
    {
        _ = what;
        var key = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(12);
        using var sealer = new AesGcmCipher(key, iv, encrypt: true);
        using var opener = new AesGcmCipher(key, iv, encrypt: false);
        var plain = new byte[4 + 64];
        new Random(1).NextBytes(plain);
        var packet = (byte[])plain.Clone();
        var tag = new byte[16];
        sealer.Seal(0, packet, tag);

        var forged = (byte[])packet.Clone();
        var forgedTag = (byte[])tag.Clone();
        if (offset < 0)
            forgedTag[15] ^= 0x80;
        else
            forged[offset] ^= 1;
        Assert.False(opener.Open(0, forged, forgedTag));
        Assert.All(forged.AsSpan(4).ToArray(), b => Assert.Equal(0, b)); // no unauthenticated plaintext left behind

        Assert.False(opener.Open(0, (byte[])packet.Clone(), tag.AsSpan(0, 12)));
        Assert.True(opener.Open(0, packet, tag));
        Assert.Equal(plain, packet);
    }

    [Fact]
    public void Gcm_refuses_a_replayed_or_reordered_packet()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(12);
        using var sealer = new AesGcmCipher(key, iv, encrypt: true);
        using var opener = new AesGcmCipher(key, iv, encrypt: false);
        var first = new byte[4 + 32];
        var second = new byte[4 + 32];
        second[10] = 9;
        var firstTag = new byte[16];
        var secondTag = new byte[16];
        sealer.Seal(0, first, firstTag);
        sealer.Seal(1, second, secondTag);

        Assert.False(opener.Open(0, (byte[])second.Clone(), secondTag)); // the second before the first
        Assert.True(opener.Open(0, first, firstTag));
        Assert.False(opener.Open(1, (byte[])first.Clone(), firstTag)); // the first again
        Assert.True(opener.Open(1, second, secondTag));
        Assert.Equal(9, second[10]);
    }

    [Fact]
    public void Gcm_refuses_use_after_dispose()
    {
        var cipher = new AesGcmCipher(new byte[16], new byte[12], encrypt: true);
        cipher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cipher.Seal(0, new byte[20], new byte[16]));
    }

    // --- AES-CTR -----------------------------------------------------------------------------------

    // NIST SP 800-38A, F.5.1 / F.5.3 / F.5.5 (CTR-AES128/192/256.Encrypt).
    [Theory]
    [InlineData("2b7e151628aed2a6abf7158809cf4f3c",
        "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee")]
    [InlineData("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e941e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050")]
    [InlineData("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6")]
    public void Ctr_matches_the_NIST_vectors_one_block_per_call(string key, string ciphertext)
    {
        const string Counter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
        const string Plaintext =
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
        using var cipher = new AesCtrCipher(Convert.FromHexString(key), Convert.FromHexString(Counter));
        var data = Convert.FromHexString(Plaintext);
        for (int offset = 0; offset < data.Length; offset += 16)
            cipher.Transform(data.AsSpan(offset, 16));
        Assert.Equal(ciphertext, Convert.ToHexStringLower(data));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Ctr_over_many_calls_of_uneven_sizes_equals_one_keystream(int keySize)
    {
        var key = RandomNumberGenerator.GetBytes(keySize);
        // The low 64 bits wrap after two blocks: the counter is one 128-bit big-endian number (RFC 4344).
        var iv = Convert.FromHexString("0011223344556677fffffffffffffffe");
        var sizes = new[] { 16, 48, 32768 + 16, 80, 16, 1024 + 32, 4096, 208, 35008, 16 };
        int total = sizes.Sum();
        var plain = new byte[total];
        new Random(keySize).NextBytes(plain);

        var expected = (byte[])plain.Clone();
        var keystream = ReferenceKeystream(key, iv, total);
        for (int i = 0; i < total; i++)
            expected[i] ^= keystream[i];

        using var cipher = new AesCtrCipher(key, iv);
        var data = (byte[])plain.Clone();
        int offset = 0;
        foreach (int size in sizes)
        {
            cipher.Transform(data.AsSpan(offset, size));
            offset += size;
        }
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(data));

        using var decryptor = new AesCtrCipher(key, iv);
        decryptor.Transform(data.AsSpan(0, 16));
        decryptor.Transform(data.AsSpan(16));
        Assert.Equal(plain, data);
    }

    [Fact]
    public void Ctr_refuses_partial_blocks()
    {
        using var cipher = new AesCtrCipher(new byte[16], new byte[16]);
        Assert.Throws<InvalidOperationException>(() => cipher.Transform(new byte[20]));
    }

    // AES-ECB over the counter blocks, built with .NET's Aes: an independent key stream.
    private static byte[] ReferenceKeystream(byte[] key, byte[] iv, int length)
    {
        var counters = new byte[(length + 15) / 16 * 16];
        var high = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var low = BinaryPrimitives.ReadUInt64BigEndian(iv.AsSpan(8));
        for (int offset = 0; offset < counters.Length; offset += 16)
        {
            BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(offset), high);
            BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(offset + 8), low);
            if (++low == 0)
                high++;
        }
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptEcb(counters, PaddingMode.None);
    }

    // --- HMAC --------------------------------------------------------------------------------------

    // The MAC covers uint32 sequence || data, so the first four bytes of each published message become the sequence number.
    [Theory]
    // RFC 4231 test case 2 (HMAC-SHA-256 / -512) and RFC 2202 test case 2 (HMAC-SHA-1): key "Jefe".
    [InlineData("SHA256", "4a656665", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData("SHA512", "4a656665", "what do ya want for nothing?",
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")]
    [InlineData("SHA1", "4a656665", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")]
    // RFC 4231 test case 6: a 131-byte key, longer than the block, is hashed first.
    [InlineData("SHA256", "aa*131", "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
    [InlineData("SHA512", "aa*131", "Test Using Larger Than Block-Size Key - Hash Key First",
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")]
    public void Hmac_matches_the_RFC_vectors(string hash, string key, string message, string expected)
    {
        var keyBytes = key == "aa*131" ? Enumerable.Repeat((byte)0xaa, 131).ToArray() : Convert.FromHexString(key);
        var bytes = Encoding.ASCII.GetBytes(message);
        using var mac = new HmacMac(new HashAlgorithmName(hash), keyBytes);
        var tag = new byte[mac.TagSize];
        for (int i = 0; i < 3; i++) // the pre-keyed states are copied, never consumed
        {
            mac.Compute(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsSpan(4), tag);
            Assert.Equal(expected, Convert.ToHexStringLower(tag));
        }
        Assert.True(mac.Verify(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsSpan(4), tag));
        tag[^1] ^= 1;
        Assert.False(mac.Verify(BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes.AsSpan(4), tag));
    }

    [Theory]
    [InlineData("SHA1", 20)]
    [InlineData("SHA256", 32)]
    [InlineData("SHA512", 64)]
    public void Hmac_agrees_with_dotnet_over_many_packets(string hash, int keySize)
    {
        var name = new HashAlgorithmName(hash);
        var key = RandomNumberGenerator.GetBytes(keySize);
        using var mac = new HmacMac(name, key);
        var random = new Random(keySize);
        var tag = new byte[mac.TagSize];
        foreach (int size in new[] { 0, 1, 16, 55, 56, 64, 127, 128, 1000, 32768 + 48 })
        {
            uint sequence = (uint)random.Next();
            var input = new byte[4 + size];
            random.NextBytes(input);
            BinaryPrimitives.WriteUInt32BigEndian(input, sequence);
            var expected = CryptographicOperations.HmacData(name, key, input);
            mac.Compute(sequence, input.AsSpan(4), tag);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(tag));
        }
    }
}
