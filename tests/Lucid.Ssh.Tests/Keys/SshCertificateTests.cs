using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>OpenSSH certificates: ssh-keygen -s issues, we parse and check; we issue, ssh-keygen -L accepts (it verifies the CA signature on parse).</summary>
public sealed class SshCertificateTests
{
    public static TheoryData<string, int, string, int> Pairs => new()
    {
        { "ed25519", 0, "ed25519", 0 },
        { "ecdsa", 256, "rsa", 2048 },
        { "ecdsa", 384, "ecdsa", 521 },
        { "ecdsa", 521, "ed25519", 0 },
        { "rsa", 2048, "ecdsa", 256 },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Certificates_issued_by_ssh_keygen_parse_with_every_field(string type, int bits, string caType, int caBits)
    {
        using var keygen = new SshKeygen();
        var ca = keygen.Generate("ca", caType, caBits);
        var user = keygen.Generate("user", type, bits);
        var (code, _, err) = SshKeygen.Run("-q", "-s", ca, "-I", "key id", "-n", "alice,bob", "-V", "20200101000000Z:20300101000000Z",
            "-z", "42", "-O", "force-command=/bin/true", "-O", "source-address=10.0.0.0/8", user + ".pub");
        Assert.True(code == 0, err);
        var line = File.ReadAllText(user + "-cert.pub").TrimEnd('\n');

        var cert = Assert.IsType<SshCertificate>(SshPublicKey.ParseLine(line, out var comment));
        Assert.Equal(line, cert.ToLine(comment));
        var plain = SshPublicKey.ParseLine(File.ReadAllText(user + ".pub"));
        Assert.Equal(plain, cert.Key);
        Assert.Equal(SshCertificate.CertificateTypeOf(plain.KeyType), cert.KeyType);
        Assert.Equal(plain.SizeInBits, cert.SizeInBits);
        Assert.Equal(SshCertificateType.User, cert.CertificateType);
        Assert.Equal("key id", cert.KeyId);
        Assert.Equal(42UL, cert.Serial);
        Assert.Equal(["alice", "bob"], cert.Principals);
        Assert.Equal((ulong)new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), cert.ValidAfter);
        Assert.Equal((ulong)new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), cert.ValidBefore);
        Assert.True(cert.IsValidAt(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(cert.IsValidAt(new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal([new("force-command", "/bin/true"), new("source-address", "10.0.0.0/8")], cert.CriticalOptions);
        Assert.Equal(["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"],
            cert.Extensions.Select(e => e.Key));
        Assert.Equal(SshPublicKey.ParseLine(File.ReadAllText(ca + ".pub")), cert.SignatureKey);
        Assert.Equal(caType == "rsa" ? "rsa-sha2-512" : SshPublicKey.ParseLine(File.ReadAllText(ca + ".pub")).KeyType, cert.SignatureAlgorithm);

        // The certified key signs as the plain key does.
        using var userKey = PrivateKeyFile.Load(user);
        Assert.True(cert.Verify("data"u8, userKey.Sign("data"u8)));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Certificates_we_issue_are_accepted_by_ssh_keygen(string type, int bits, string caType, int caBits)
    {
        using var keygen = new SshKeygen();
        using var ca = SshPrivateKey.Generate(caType, caBits);
        using var key = SshPrivateKey.Generate(type, bits);
        var cert = SshCertificate.Sign(key.PublicKey, ca, SshCertificateType.Host, "host key", ["host.example", "10.1.2.3"],
            validAfter: 1577836800, validBefore: 1893456000, serial: 7,
            extensions: [new("permit-pty", ""), new("permit-agent-forwarding", "")]);
        var path = keygen.PathOf("host-cert.pub");
        File.WriteAllText(path, cert.ToLine("comment") + "\n");

        var (code, stdout, err) = SshKeygen.Run("-L", "-f", path);
        Assert.True(code == 0, err);
        var lines = stdout.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains($"Type: {cert.KeyType} host certificate", lines);
        Assert.Contains("Key ID: \"host key\"", lines);
        Assert.Contains("Serial: 7", lines);
        Assert.Contains("host.example", lines);
        Assert.Contains("10.1.2.3", lines);
        // Extensions come out sorted, as OpenSSH requires.
        int agent = Array.IndexOf(lines, "permit-agent-forwarding");
        int pty = Array.IndexOf(lines, "permit-pty");
        Assert.True(agent > 0 && pty > agent);
    }

    [Fact]
    public void A_tampered_certificate_is_refused()
    {
        using var ca = SshPrivateKey.Generate("ed25519");
        using var key = SshPrivateKey.Generate("ed25519");
        var cert = SshCertificate.Sign(key.PublicKey, ca, SshCertificateType.User, "id", ["alice"]);
        var blob = cert.Blob.ToArray();
        // Flip a byte inside the key id: the CA signature no longer matches.
        int at = blob.AsSpan().IndexOf("id"u8);
        blob[at] ^= 1;
        var ex = Assert.Throws<SshKeyFormatException>(() => SshPublicKey.FromBlob(blob));
        Assert.Equal("incorrect signature", ex.Message);
    }

    [Fact]
    public void Certificate_algorithm_names_map_to_their_key_types()
    {
        Assert.Equal("ssh-rsa-cert-v01@openssh.com", KeyAlgorithms.KeyTypeOfSignatureAlgorithm("rsa-sha2-512-cert-v01@openssh.com"));
        Assert.Equal("ssh-ed25519-cert-v01@openssh.com", KeyAlgorithms.KeyTypeOfSignatureAlgorithm("ssh-ed25519-cert-v01@openssh.com"));
        Assert.Equal("ssh-rsa", SshCertificate.PlainTypeOf("ssh-rsa-cert-v01@openssh.com"));
        Assert.Null(SshCertificate.PlainTypeOf("ssh-dss-cert-v01@openssh.com"));
        using var ca = SshPrivateKey.Generate("ed25519");
        using var key = SshPrivateKey.Generate("rsa", 2048);
        var cert = SshCertificate.Sign(key.PublicKey, ca, SshCertificateType.Host, "h", []);
        Assert.Equal(["rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com"], cert.HostKeyAlgorithms);
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], cert.SignatureAlgorithms);
        Assert.Equal(KeyAlgorithms.Rsa, cert.Algorithm.KeyType);
    }
}
