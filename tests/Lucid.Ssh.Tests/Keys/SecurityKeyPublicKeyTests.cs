using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>
/// FIDO (sk-*) public keys. No authenticator is available here, so signatures are made the way one makes
/// them (PROTOCOL.u2f); ssh-keygen -l checks that the key blobs are the ones OpenSSH reads.
/// </summary>
public sealed class SecurityKeyPublicKeyTests
{
    [Theory]
    [InlineData("ed25519", "sk-ssh-ed25519@openssh.com", "ED25519-SK")]
    [InlineData("ecdsa", "sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK")]
    public void Ssh_keygen_reads_our_security_key_blobs(string type, string keyType, string label)
    {
        using var key = SshPrivateKey.Generate(type, 256);
        var sk = SecurityKeyPublicKey.Create(key.PublicKey, "ssh:");
        Assert.Equal(keyType, sk.KeyType);
        var line = sk.ToLine("fido@example");
        var parsed = Assert.IsType<SecurityKeyPublicKey>(SshPublicKey.ParseLine(line));
        Assert.Equal(sk, parsed);
        Assert.Equal("ssh:", parsed.Application);
        Assert.Equal(key.PublicKey, parsed.Key);

        using var keygen = new SshKeygen();
        var path = keygen.PathOf("sk.pub");
        File.WriteAllText(path, line + "\n");
        var (code, stdout, err) = SshKeygen.Run("-l", "-f", path);
        Assert.True(code == 0, err);
        var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(sk.Blob.Span)).TrimEnd('=');
        Assert.Equal($"256 {fingerprint} fido@example ({label})\n", stdout);
    }

    [Fact]
    public void Ed25519_security_key_signatures_verify_and_report_flags_and_counter()
    {
        using var key = Ed25519PrivateKey.FromSeed(new byte[32]);
        var sk = SecurityKeyPublicKey.Create(key.PublicKey, "ssh:");
        Span<byte> secret = stackalloc byte[32];
        key.ExportSeed(secret);
        var pk = new byte[32];
        var sodiumSecret = new byte[64];
        Sodium.Ed25519KeyPairFromSeed(pk, sodiumSecret, secret);
        var rawSignature = new byte[64];
        Sodium.Ed25519Sign(rawSignature, AuthenticatorMessage("ssh:", 0x05, 17, "session data"u8), sodiumSecret);
        var blob = Blob(sk.KeyType, rawSignature, 0x05, 17);

        Assert.True(sk.TryVerify("session data"u8, blob, out byte flags, out uint counter));
        Assert.Equal(0x05, flags);
        Assert.Equal(17u, counter);
        Assert.False(sk.Verify("other data"u8, blob));
        Assert.False(sk.Verify("session data"u8, Blob(sk.KeyType, rawSignature, 0x01, 17)));
        Assert.False(sk.Verify("session data"u8, Blob(sk.KeyType, rawSignature, 0x05, 18)));
        Assert.False(sk.Verify("session data"u8, Blob("ssh-ed25519", rawSignature, 0x05, 17)));
        // A plain Ed25519 signature of the data is not a security key signature.
        Assert.False(sk.Verify("session data"u8, key.Sign("session data"u8)));
    }

    [Fact]
    public void Ecdsa_security_key_signatures_verify()
    {
        using var key = SshPrivateKey.Generate("ecdsa", 256);
        var sk = SecurityKeyPublicKey.Create(key.PublicKey, "ssh:");
        var plainBlob = key.Sign(AuthenticatorMessage("ssh:", 0x01, 3, "challenge"u8), "ecdsa-sha2-nistp256");
        var reader = new SshReader(plainBlob);
        reader.ReadString();
        var rs = reader.ReadString().ToArray();
        var blob = Blob(sk.KeyType, rs, 0x01, 3);
        Assert.True(sk.TryVerify("challenge"u8, blob, out byte flags, out uint counter));
        Assert.Equal((0x01, 3u), (flags, counter));
        Assert.False(sk.Verify("challenge!"u8, blob));
        Assert.False(sk.Verify("challenge"u8, [.. blob, 0]));
    }

    private static byte[] AuthenticatorMessage(string application, byte flags, uint counter, ReadOnlySpan<byte> data)
    {
        var message = new byte[69];
        SHA256.HashData(Encoding.UTF8.GetBytes(application), message.AsSpan(0, 32));
        message[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(33), counter);
        SHA256.HashData(data, message.AsSpan(37));
        return message;
    }

    private static byte[] Blob(string algorithm, byte[] signature, byte flags, uint counter)
    {
        using var writer = new SshWriter();
        writer.WriteString(algorithm).WriteString(signature).WriteByte(flags).WriteUInt32(counter);
        return writer.ToArray();
    }
}
