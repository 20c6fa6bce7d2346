using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Keys;

public sealed class KeyAlgorithmTests
{
    public static TheoryData<string, int, string, int> Types => new()
    {
        { "ed25519", 0, "ssh-ed25519", 256 },
        { "ecdsa", 0, "ecdsa-sha2-nistp256", 256 },
        { "ecdsa", 384, "ecdsa-sha2-nistp384", 384 },
        { "ecdsa", 521, "ecdsa-sha2-nistp521", 521 },
        { "rsa", 2048, "ssh-rsa", 2048 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Generated_keys_sign_and_verify_with_every_algorithm(string type, int bits, string keyType, int size)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        Assert.Equal(keyType, key.KeyType);
        Assert.Equal(size, key.PublicKey.SizeInBits);
        var data = Encoding.UTF8.GetBytes("data to sign");
        foreach (var algorithm in key.PublicKey.SignatureAlgorithms)
        {
            var signature = key.Sign(data, algorithm);
            var reader = new SshReader(signature);
            Assert.Equal(algorithm, reader.ReadUtf8String());
            Assert.True(key.PublicKey.Verify(data, signature));
            Assert.False(key.PublicKey.Verify(Encoding.UTF8.GetBytes("other data"), signature));
            var tampered = (byte[])signature.Clone();
            tampered[^1] ^= 1;
            Assert.False(key.PublicKey.Verify(data, tampered));
            Assert.False(key.PublicKey.Verify(data, signature.AsSpan(0, signature.Length - 1)));
        }
        var parsed = SshPublicKey.FromBlob(key.PublicKey.Blob.Span);
        Assert.Equal(key.PublicKey, parsed);
        var line = key.PublicKey.ToLine("me@host");
        Assert.Equal(key.PublicKey, SshPublicKey.ParseLine(line, out var comment));
        Assert.Equal("me@host", comment);
    }

    [Fact]
    public void Rsa_defaults_to_sha512_and_signs_sha1_only_when_asked()
    {
        using var key = SshPrivateKey.Generate("rsa", 2048);
        Assert.Equal("rsa-sha2-512", key.DefaultSignatureAlgorithm);
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], key.PublicKey.SignatureAlgorithms);
        var sig = key.Sign("x"u8);
        Assert.Equal("rsa-sha2-512", new SshReader(sig).ReadUtf8String());
        Assert.True(key.PublicKey.Verify("x"u8, key.Sign("x"u8, "ssh-rsa")));
    }

    [Fact]
    public void Verification_can_insist_on_the_negotiated_algorithm()
    {
        using var key = SshPrivateKey.Generate("rsa", 2048);
        var sig256 = key.Sign("h"u8, "rsa-sha2-256");
        Assert.Equal("rsa-sha2-256", SshPublicKey.SignatureAlgorithmOf(sig256));
        Assert.True(key.PublicKey.Verify("h"u8, sig256, "rsa-sha2-256"));
        Assert.False(key.PublicKey.Verify("h"u8, sig256, "rsa-sha2-512"));
        Assert.Null(SshPublicKey.SignatureAlgorithmOf([0, 0, 0, 9]));
    }

    [Fact]
    public void Default_rsa_size_is_3072()
    {
        using var key = SshPrivateKey.Generate("rsa");
        Assert.Equal(3072, key.PublicKey.SizeInBits);
    }

    [Fact]
    public void A_signature_of_another_type_does_not_verify()
    {
        using var ed = SshPrivateKey.Generate("ed25519");
        using var ec = SshPrivateKey.Generate("ecdsa");
        Assert.False(ec.PublicKey.Verify("x"u8, ed.Sign("x"u8)));
        Assert.False(ed.PublicKey.Verify("x"u8, ec.Sign("x"u8)));
        Assert.Throws<ArgumentException>(() => ed.Sign("x"u8, "rsa-sha2-256"));
    }

    [Theory]
    [InlineData("ecdsa", 255, "Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits")]
    [InlineData("rsa", 1023, "Invalid RSA key length: minimum is 1024 bits")]
    [InlineData("rsa", 16392, "Invalid RSA key length: maximum is 16384 bits")]
    [InlineData("dsa", 1024, "unknown key type dsa")]
    public void Bad_generation_requests_use_ssh_keygen_wording(string type, int bits, string message)
    {
        var ex = Assert.Throws<SshException>(() => SshPrivateKey.Generate(type, bits));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Keys_from_dotnet_objects_and_seed_round_trip()
    {
        using var rsa = SshPrivateKey.FromRsa(RSA.Create(2048));
        Assert.Equal("ssh-rsa", rsa.KeyType);
        var rsaPublic = new RsaPublicKey(((RsaPrivateKey)rsa).ExportParameters(false));
        Assert.Equal(rsa.PublicKey, rsaPublic);

        using var ec = SshPrivateKey.FromECDsa(ECDsa.Create(ECCurve.NamedCurves.nistP384));
        Assert.Equal("ecdsa-sha2-nistp384", ec.KeyType);
        var ecParams = ((EcdsaPrivateKey)ec).ExportParameters(true);
        using var ec2 = EcdsaPrivateKey.FromParameters(ecParams);
        Assert.Equal(ec.PublicKey, ec2.PublicKey);

        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var ed = SshPrivateKey.FromEd25519Seed(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            Convert.ToHexStringLower(((Ed25519PublicKey)ed.PublicKey).Key.Span));
        Span<byte> exported = stackalloc byte[32];
        ((Ed25519PrivateKey)ed).ExportSeed(exported);
        Assert.Equal(seed, exported.ToArray());
    }

    [Fact]
    public void Disposed_keys_refuse_to_sign()
    {
        var key = SshPrivateKey.Generate("ed25519");
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 256)]
    [InlineData("ecdsa", 384)]
    [InlineData("ecdsa", 521)]
    [InlineData("rsa", 1024)]
    public void Public_key_lines_written_by_ssh_keygen_parse_and_print_back_identically(string type, int bits)
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate("id", type, bits, comment: "alice@example with spaces");
        var line = File.ReadAllText(path + ".pub").TrimEnd('\n');
        var key = SshPublicKey.ParseLine(line, out var comment);
        Assert.Equal("alice@example with spaces", comment);
        Assert.Equal(line, key.ToLine(comment));
    }

    [Theory]
    [InlineData("", "empty public key line")]
    [InlineData("ssh-foo AAAA", "unknown key type ssh-foo")]
    [InlineData("ssh-ed25519", "missing key data after ssh-ed25519")]
    [InlineData("ssh-ed25519 AAA!C3NzaC1lZDI1NTE5AAAAIA==", "invalid base64 in public key")]
    // The blob says ssh-ed25519 but with a 31-byte key.
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAHwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "invalid ssh-ed25519 public key: 31 bytes instead of 32")]
    // The blob is cut short in the middle of the key.
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAA==", "invalid ssh-ed25519 public key: string length 32 exceeds the 3 bytes remaining")]
    public void Malformed_public_key_lines_are_refused_with_a_reason(string line, string message)
    {
        var ex = Assert.Throws<SshKeyFormatException>(() => SshPublicKey.ParseLine(line));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Blob_with_trailing_bytes_or_mismatched_line_type_is_refused()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        var blob = key.PublicKey.Blob.ToArray().Append((byte)0).ToArray();
        var ex = Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob(blob));
        Assert.Equal("invalid ssh-ed25519 public key: 1 trailing bytes", ex.Message);
        var line = "ssh-rsa " + Convert.ToBase64String(key.PublicKey.Blob.Span);
        ex = Assert.Throws<SshKeyFormatException>(() => SshPublicKey.ParseLine(line));
        Assert.Equal("key type ssh-rsa does not match the encoded ssh-ed25519 key", ex.Message);
        ex = Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob([0, 0, 0, 3, (byte)'a', (byte)'b']));
        Assert.Equal("invalid public key: string length 3 exceeds the 2 bytes remaining", ex.Message);
    }

    [Fact]
    public void Short_rsa_keys_are_refused_as_openssh_does()
    {
        using var rsa = RSA.Create(512);
        var ex = Assert.Throws<SshKeyFormatException>(() => new RsaPublicKey(rsa.ExportParameters(false)));
        Assert.Equal("Invalid key length: RSA modulus of 512 bits (allowed 1024 to 16384)", ex.Message);
    }

    [Fact]
    public void Signature_algorithms_map_to_key_types()
    {
        Assert.Equal("ssh-rsa", KeyAlgorithms.KeyTypeOfSignatureAlgorithm("rsa-sha2-256"));
        Assert.Equal("ssh-rsa", KeyAlgorithms.KeyTypeOfSignatureAlgorithm("rsa-sha2-512"));
        Assert.Equal("ecdsa-sha2-nistp521", KeyAlgorithms.KeyTypeOfSignatureAlgorithm("ecdsa-sha2-nistp521"));
        Assert.Null(KeyAlgorithms.KeyTypeOfSignatureAlgorithm("ssh-dss"));
        Assert.Equal(["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"],
            KeyAlgorithms.All.Select(a => a.KeyType));
    }
}
