using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

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

public sealed class UserCertificatePolicyTests
{
    private static SshCertificate Issue(SshCertificateType type, string[] principals, ulong after = 0, ulong before = ulong.MaxValue,
        Action<SshCertificateBuilder>? more = null)
    {
        using var ca = SshPrivateKey.Generate("ssh-ed25519");
        using var subject = SshPrivateKey.Generate("ssh-ed25519");
        var builder = new SshCertificateBuilder(subject.PublicKey, type, "id") { ValidAfter = after, ValidBefore = before };
        foreach (var p in principals)
            builder.Principals.Add(p);
        more?.Invoke(builder);
        return builder.Sign(ca);
    }

    [Fact]
    public void CheckUser_gives_openssh_reasons()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1000);
        Assert.Null(SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, ["alice"]), "alice", now));
        Assert.Null(SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, ["deploy"]), null, now));
        Assert.Equal("Certificate invalid: not a user certificate", SshCertificateValidation.CheckUser(Issue(SshCertificateType.Host, ["alice"]), "alice", now));
        Assert.Equal("Certificate invalid: not yet valid", SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, ["alice"], after: 1001), "alice", now));
        Assert.Equal("Certificate invalid: expired", SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, ["alice"], before: 1000), "alice", now));
        Assert.Equal("Certificate lacks principal list", SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, []), "alice", now));
        Assert.Equal("Certificate invalid: name is not a listed principal",
            SshCertificateValidation.CheckUser(Issue(SshCertificateType.User, ["alice*"]), "alice", now));
    }

    [Fact]
    public void Certificate_options_grant_only_their_extensions_and_merge_as_openssh()
    {
        var cert = Issue(SshCertificateType.User, ["alice"], more: b =>
        {
            b.Extensions.Add(SshCertificateOption.Flag("permit-pty"));
            b.Extensions.Add(SshCertificateOption.Flag("x-unknown@example.com"));
            b.CriticalOptions.Add(SshCertificateOption.WithValue("force-command", "backup"));
            b.CriticalOptions.Add(SshCertificateOption.WithValue("source-address", "10.0.0.0/8"));
        });
        var own = AuthorizedKeysOptions.FromCertificate(cert, out var error)!;
        Assert.Null(error);
        Assert.True(own.PermitPty);
        Assert.False(own.PermitPortForwarding || own.PermitAgentForwarding || own.PermitX11Forwarding || own.PermitUserRc);
        Assert.Equal(("backup", "10.0.0.0/8"), (own.ForceCommand, own.SourceAddress));

        var line = AuthorizedKeysOptions.Parse("cert-authority,no-pty,command=\"other\"", out _)!;
        Assert.Null(AuthorizedKeysOptions.Merge(line, own, out var reason));
        Assert.Equal("forced command options do not match", reason);
        var merged = AuthorizedKeysOptions.Merge(AuthorizedKeysOptions.Parse("cert-authority,no-pty", out _)!, own, out _)!;
        Assert.False(merged.PermitPty);
        Assert.Equal("backup", merged.ForceCommand);

        var unknown = Issue(SshCertificateType.User, ["alice"], more: b => b.CriticalOptions.Add(SshCertificateOption.Flag("no-such@example.com")));
        Assert.Null(AuthorizedKeysOptions.FromCertificate(unknown, out error));
        Assert.Equal("Certificate critical option \"no-such@example.com\" is not supported", error);
        var twice = Issue(SshCertificateType.User, ["alice"], more: b =>
        {
            b.CriticalOptions.Add(SshCertificateOption.WithValue("source-address", "10.0.0.0/8"));
            b.CriticalOptions.Add(SshCertificateOption.WithValue("source-address", "not-an-address"));
        });
        Assert.Null(AuthorizedKeysOptions.FromCertificate(twice, out error));
        Assert.Equal("Certificate has multiple source-address options", error);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.0/8,::1", 1)]
    [InlineData("192.168.1.5", "127.0.0.0/8,10.0.0.0/8", 0)]
    [InlineData("::1", "::1/128", 1)]
    [InlineData("127.0.0.1", "127.0.0.*", -1)]
    [InlineData("127.0.0.1", "127.0.0.1/33", -1)]
    [InlineData("127.0.0.1", "10.0.0.1/8", -1)]
    [InlineData("127.0.0.1", "127.0.0.1,", -1)]
    public void Source_address_lists_are_cidr_only(string address, string list, int expected)
    {
        Assert.Equal(expected, CidrList.Match(address, list));
    }

    [Fact]
    public async Task A_certified_signer_signs_with_the_plain_algorithm()
    {
        using var ca = SshPrivateKey.Generate("ssh-ed25519");
        using var key = SshPrivateKey.Generate("ssh-rsa", 2048);
        var cert = new SshCertificateBuilder(key.PublicKey, SshCertificateType.User, "u").Sign(ca);
        var signer = new SshCertifiedSigner(key, cert);
        Assert.Same(cert, signer.PublicKey);
        var signature = await signer.SignAsync(new byte[] { 1, 2, 3 }, "rsa-sha2-256-cert-v01@openssh.com");
        Assert.Equal("rsa-sha2-256", SshPublicKey.SignatureAlgorithmOf(signature));
        Assert.True(cert.Verify(new byte[] { 1, 2, 3 }, signature));
        using var other = SshPrivateKey.Generate("ssh-ed25519");
        Assert.Throws<ArgumentException>(() => new SshCertifiedSigner(other, cert));
    }
}
