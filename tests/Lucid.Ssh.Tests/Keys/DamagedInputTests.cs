using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>
/// Every truncation and many bit flips of valid inputs: the only exceptions allowed out are the
/// documented ones, never an index, argument or cryptographic exception.
/// </summary>
public sealed class DamagedInputTests
{
    public static TheoryData<string, int> Types => new()
    {
        { "ed25519", 0 },
        { "ecdsa", 256 },
        { "ecdsa", 521 },
        { "rsa", 1024 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Damaged_public_key_blobs_only_throw_key_format_errors(string type, int bits)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        var blob = key.PublicKey.Blob.ToArray();
        for (int length = 0; length < blob.Length; length++)
            Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob(blob.AsSpan(0, length)));
        var random = new Random(1);
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])blob.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                SshPublicKey.FromBlob(damaged);
            }
            catch (SshKeyFormatException)
            {
            }
        }
    }

    [Fact]
    public void Damaged_certificates_only_throw_key_format_errors()
    {
        using var ca = SshPrivateKey.Generate("ecdsa");
        using var key = SshPrivateKey.Generate("ed25519");
        var blob = SshCertificate.Sign(key.PublicKey, ca, SshCertificateType.User, "id", ["a", "b"],
            criticalOptions: [new("force-command", "true")], extensions: [new("permit-pty", "")]).Blob.ToArray();
        for (int length = 0; length < blob.Length; length++)
            Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob(blob.AsSpan(0, length)));
        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])blob.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob(damaged));
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Damaged_signatures_only_fail_verification(string type, int bits)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        var signature = key.Sign("data"u8);
        for (int length = 0; length < signature.Length; length++)
            Assert.False(key.PublicKey.Verify("data"u8, signature.AsSpan(0, length)));
        var random = new Random(2);
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])signature.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(key.PublicKey.Verify("data"u8, damaged));
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Damaged_openssh_private_keys_only_throw_documented_errors(string type, int bits)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        var raw = Decode(OpenSshPrivateKeyFormat.Write(key, null, "comment"));
        var random = new Random(3);
        for (int length = 0; length < raw.Length; length += 3)
            Assert.Throws<SshKeyFormatException>(() => OpenSshPrivateKeyFormat.Read(Encode(raw[..length]), null));
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])raw.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                OpenSshPrivateKeyFormat.Read(Encode(damaged), null)?.Dispose();
            }
            catch (SshKeyFormatException)
            {
            }
            catch (SshWrongPassphraseException)
            {
            }
        }
    }

    [Theory]
    [InlineData("rsa", 1024, PrivateKeyFormat.Pem)]
    [InlineData("ecdsa", 256, PrivateKeyFormat.Pem)]
    [InlineData("rsa", 1024, PrivateKeyFormat.Pkcs8)]
    [InlineData("ecdsa", 384, PrivateKeyFormat.Pkcs8)]
    public void Damaged_pem_private_keys_only_throw_documented_errors(string type, int bits, PrivateKeyFormat format)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        var text = PrivateKeyFile.Format(key, format);
        var lines = text.Split('\n');
        var der = Convert.FromBase64String(string.Concat(lines[1..^2]));
        var random = new Random(4);
        for (int i = 0; i < 200; i++)
        {
            var damaged = random.Next(2) == 0 ? der[..random.Next(der.Length)] : Flip(der, random);
            var pem = lines[0] + "\n" + Convert.ToBase64String(damaged) + "\n" + lines[^2] + "\n";
            try
            {
                PrivateKeyFile.Parse(pem)?.Dispose();
            }
            catch (SshKeyFormatException)
            {
            }
        }
    }

    private static byte[] Flip(byte[] data, Random random)
    {
        var copy = (byte[])data.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] Decode(string text)
    {
        var lines = text.Split('\n');
        return Convert.FromBase64String(string.Concat(lines[1..^2]));
    }

    private static string Encode(byte[] raw) =>
        OpenSshPrivateKeyFormat.BeginMarker + "\n" + Convert.ToBase64String(raw) + "\n" + OpenSshPrivateKeyFormat.EndMarker + "\n";
}
