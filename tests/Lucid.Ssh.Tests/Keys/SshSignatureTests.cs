using System.Text;
using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>Signatures both ways with OpenSSH, through ssh-keygen -Y sign / -Y verify (PROTOCOL.sshsig).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SshSignatureTests
{
    public static TheoryData<string, int> Types => new()
    {
        { "ed25519", 0 },
        { "ecdsa", 256 },
        { "ecdsa", 384 },
        { "ecdsa", 521 },
        { "rsa", 2048 },
    };

    private static readonly byte[] s_message = Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog\n");

    [Theory]
    [MemberData(nameof(Types))]
    public void Our_signatures_verify_with_ssh_keygen(string type, int bits)
    {
        using var keygen = new SshKeygen();
        using var key = SshPrivateKey.Generate(type, bits);
        var messagePath = keygen.PathOf("message");
        File.WriteAllBytes(messagePath, s_message);
        File.WriteAllText(messagePath + ".sig", SshSignature.Sign(key, s_message, "file"));
        var allowed = keygen.PathOf("allowed_signers");
        File.WriteAllText(allowed, "alice@example " + key.PublicKey.ToLine() + "\n");

        var (code, stdout, stderr) = SshKeygen.RunWithInput(Encoding.UTF8.GetString(s_message),
            "-Y", "verify", "-f", allowed, "-I", "alice@example", "-n", "file", "-s", messagePath + ".sig");
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"Good \"file\" signature for alice@example with {KeyName(key)} key SHA256:", stdout);

        // The same signature under another namespace or over another message is rejected by OpenSSH too.
        (code, _, _) = SshKeygen.RunWithInput("tampered", "-Y", "verify", "-f", allowed, "-I", "alice@example", "-n", "file", "-s", messagePath + ".sig");
        Assert.NotEqual(0, code);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Ssh_keygen_signatures_verify_with_us(string type, int bits)
    {
        using var keygen = new SshKeygen();
        var keyPath = keygen.Generate("id", type, bits);
        var messagePath = keygen.PathOf("message");
        File.WriteAllBytes(messagePath, s_message);
        var (code, _, stderr) = SshKeygen.Run("-Y", "sign", "-f", keyPath, "-n", "git", messagePath);
        Assert.True(code == 0, stderr);
        var armored = File.ReadAllText(messagePath + ".sig");

        var signer = SshSignature.Verify(armored, s_message, "git");
        Assert.Equal(SshPublicKey.ParseLine(File.ReadAllText(keyPath + ".pub")), signer);

        var ex = Assert.Throws<SshException>(() => SshSignature.Verify(armored, "other"u8, "git"));
        Assert.Equal("Couldn't verify signature: incorrect signature", ex.Message);
        ex = Assert.Throws<SshException>(() => SshSignature.Verify(armored, s_message, "file"));
        Assert.Equal("Couldn't verify signature: namespace mismatch: signature \"git\", expected \"file\"", ex.Message);

        if (type == "ed25519")
        {
            // Ed25519 is deterministic: our signature of the same message is byte-identical to ssh-keygen's.
            using var key = PrivateKeyFile.Load(keyPath);
            Assert.Equal(armored, SshSignature.Sign(key, s_message, "git"));
        }
    }

    [Theory]
    [InlineData("", "Couldn't parse signature: missing header")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", "Couldn't parse signature: missing footer")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NI*0lH\n-----END SSH SIGNATURE-----\n", "Couldn't parse signature: invalid format")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAg==\n-----END SSH SIGNATURE-----\n", "Couldn't parse signature: unsupported signature version 2")]
    [InlineData("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n", "Couldn't parse signature: message truncated: needed 4 bytes, 0 remain")]
    public void Malformed_signatures_are_refused(string armored, string message)
    {
        var ex = Assert.Throws<SshException>(() => SshSignature.Verify(armored, s_message, "file"));
        Assert.Equal(message, ex.Message);
    }

    private static string KeyName(SshPrivateKey key) => key.KeyType switch
    {
        "ssh-ed25519" => "ED25519",
        "ssh-rsa" => "RSA",
        _ => "ECDSA",
    };
}
