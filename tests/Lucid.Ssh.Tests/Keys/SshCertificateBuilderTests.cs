using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

public sealed class SshCertificateBuilderTests
{
    /// <summary>A signer that is not a private key in memory: answers later, as an agent or a token would.</summary>
    private sealed class RemoteSigner(SshPrivateKey key) : ISshSigner
    {
        public int Calls { get; private set; }
        public SshPublicKey PublicKey => key.PublicKey;

        public async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Calls++;
            return key.Sign(data.Span, signatureAlgorithm);
        }
    }

    /// <summary>A signer that ignores the algorithm asked for (an agent without rsa-sha2 support answers ssh-rsa).</summary>
    private sealed class Sha1OnlySigner(SshPrivateKey key) : ISshSigner
    {
        public SshPublicKey PublicKey => key.PublicKey;

        public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(key.Sign(data.Span, KeyAlgorithms.Rsa));
    }

    [Theory]
    [InlineData("ssh-ed25519", null, "ssh-ed25519")]
    [InlineData("ecdsa-sha2-nistp384", null, "ecdsa-sha2-nistp384")]
    [InlineData("ssh-rsa", null, "rsa-sha2-512")]
    [InlineData("ssh-rsa", "rsa-sha2-256", "rsa-sha2-256")]
    public async Task Any_signer_issues_a_certificate_that_verifies(string caType, string? algorithm, string expectedAlgorithm)
    {
        using var caKey = SshPrivateKey.Generate(caType, caType == "ssh-rsa" ? 2048 : 0);
        using var subject = SshPrivateKey.Generate("ssh-ed25519");
        var signer = new RemoteSigner(caKey);
        var builder = new SshCertificateBuilder(subject.PublicKey, SshCertificateType.User, "alice@example.com")
        {
            Serial = 7,
            ValidAfter = 100,
            ValidBefore = 200,
        }.WithDefaultUserExtensions();
        builder.Principals.Add("alice");
        builder.CriticalOptions.Add(SshCertificateOption.WithValue("source-address", "10.0.0.0/8"));
        builder.CriticalOptions.Add(SshCertificateOption.WithValue("force-command", "true"));

        var cert = await builder.SignAsync(signer, algorithm);

        Assert.Equal(1, signer.Calls);
        Assert.Equal(expectedAlgorithm, cert.SignatureAlgorithm);
        Assert.Equal(caKey.PublicKey, cert.SignatureKey);
        Assert.Equal(subject.PublicKey, cert.Key);
        Assert.Equal(("alice@example.com", 7UL, 100UL, 200UL), (cert.KeyId, cert.Serial, cert.ValidAfter, cert.ValidBefore));
        Assert.Equal(["alice"], cert.Principals);
        // Sorted by name, as OpenSSH requires and writes them.
        Assert.Equal(["force-command", "source-address"], cert.CriticalOptionList.Select(o => o.Name));
        Assert.Equal("10.0.0.0/8", cert.CriticalOptionList[1].Value);
        Assert.Equal(["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"],
            cert.ExtensionList.Select(o => o.Name));
        Assert.All(cert.ExtensionList, o => Assert.True(o.IsFlag));
        // Round trip through the text form: the CA signature is checked again on parsing.
        Assert.Equal(cert, SshPublicKey.ParseLine(cert.ToLine()));
    }

    [Fact]
    public async Task A_signer_answering_with_another_algorithm_is_refused()
    {
        using var caKey = SshPrivateKey.Generate("ssh-rsa", 2048);
        using var subject = SshPrivateKey.Generate("ssh-ed25519");
        var builder = new SshCertificateBuilder(subject.PublicKey, SshCertificateType.Host, "h");
        var e = await Assert.ThrowsAsync<SshException>(() => builder.SignAsync(new Sha1OnlySigner(caKey)).AsTask());
        Assert.Equal("signature algorithm not supported", e.Message);
    }

    [Fact]
    public async Task Unsupported_algorithms_too_many_principals_and_certificate_subjects_are_refused()
    {
        using var caKey = SshPrivateKey.Generate("ssh-ed25519");
        using var subject = SshPrivateKey.Generate("ssh-ed25519");
        var builder = new SshCertificateBuilder(subject.PublicKey, SshCertificateType.User, "u");
        await Assert.ThrowsAsync<SshException>(() => builder.SignAsync(caKey, "rsa-sha2-512").AsTask());
        for (int i = 0; i <= SshCertificateBuilder.MaxPrincipals; i++)
            builder.Principals.Add("p" + i);
        var e = await Assert.ThrowsAsync<SshException>(() => builder.SignAsync(caKey).AsTask());
        Assert.Equal("Too many certificate principals specified", e.Message);

        var cert = new SshCertificateBuilder(subject.PublicKey, SshCertificateType.User, "u").Sign(caKey);
        Assert.Throws<ArgumentException>(() => new SshCertificateBuilder(cert, SshCertificateType.User, "again"));
    }

    [Fact]
    public void Option_data_is_kept_exactly_as_signed()
    {
        using var caKey = SshPrivateKey.Generate("ssh-ed25519");
        using var subject = SshPrivateKey.Generate("ssh-ed25519");
        var builder = new SshCertificateBuilder(subject.PublicKey, SshCertificateType.User, "u");
        builder.Extensions.Add(new SshCertificateOption("odd@example.com", new byte[] { 1, 2, 3 }));
        builder.Extensions.Add(SshCertificateOption.WithValue("empty@example.com", ""));
        var cert = builder.Sign(caKey);
        Assert.Equal(["empty@example.com", "odd@example.com"], cert.ExtensionList.Select(o => o.Name));
        Assert.Equal(new byte[4], cert.ExtensionList[0].Data.ToArray());
        Assert.Equal("", cert.ExtensionList[0].Value);
        Assert.Equal(new byte[] { 1, 2, 3 }, cert.ExtensionList[1].Data.ToArray());
        Assert.Null(cert.ExtensionList[1].Value);
    }
}
