using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using KnownHostsFile = Lucid.Ssh.OpenSsh.KnownHosts;

namespace Lucid.Ssh.Tests.HostTrust;

/// <summary>Host certificates as OpenSSH's ssh judges them: known_hosts lookups, validity checks, algorithm order.</summary>
public sealed class HostCertificateTrustTests
{
    private static readonly SshPrivateKey Ca = SshPrivateKey.Generate("ed25519");
    private static readonly SshPrivateKey OtherCa = SshPrivateKey.Generate("ed25519");
    private static readonly SshPrivateKey HostKey = SshPrivateKey.Generate("ed25519");
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static ulong Seconds(DateTimeOffset time) => (ulong)time.ToUnixTimeSeconds();

    private static SshCertificate Certify(string[] principals, SshCertificateType type = SshCertificateType.Host,
        ulong validAfter = 0, ulong validBefore = ulong.MaxValue, SshPrivateKey? ca = null,
        IEnumerable<KeyValuePair<string, string>>? critical = null) =>
        SshCertificate.Sign(HostKey.PublicKey, ca ?? Ca, type, "id", principals, validAfter, validBefore, criticalOptions: critical);

    private static string Line(string hosts, SshPublicKey key, string marker = "") =>
        $"{marker}{(marker.Length > 0 ? " " : "")}{hosts} {key.KeyType} {Convert.ToBase64String(key.Blob.Span)}";

    private static KnownHostsFile Parse(params string[] lines) => KnownHostsFile.Parse(string.Join('\n', lines), "kh");

    [Fact]
    public void A_valid_host_certificate_for_the_name_passes()
    {
        Assert.Null(SshCertificateValidation.CheckHost(Certify(["db.example", "127.0.0.1"]), "127.0.0.1", Now));
        Assert.Null(SshCertificateValidation.CheckHost(
            Certify(["127.0.0.1"], validAfter: Seconds(Now.AddDays(-1)), validBefore: Seconds(Now.AddDays(1))), "127.0.0.1", Now));
    }

    [Fact]
    public void An_empty_principal_list_vouches_for_any_host_as_in_OpenSSH_9_2() =>
        Assert.Null(SshCertificateValidation.CheckHost(Certify([]), "anything.example", Now));

    [Fact]
    public void Each_failure_has_OpenSSHs_reason()
    {
        string? Check(SshCertificate certificate, IReadOnlyCollection<string>? algorithms = null) =>
            SshCertificateValidation.CheckHost(certificate, "127.0.0.1", Now, algorithms);

        Assert.Equal("Certificate invalid: not a host certificate", Check(Certify(["127.0.0.1"], SshCertificateType.User)));
        Assert.Equal("Certificate invalid: not yet valid", Check(Certify(["127.0.0.1"], validAfter: Seconds(Now.AddSeconds(1)))));
        Assert.Equal("Certificate invalid: expired", Check(Certify(["127.0.0.1"], validBefore: Seconds(Now))));
        Assert.Equal("Certificate invalid: name is not a listed principal", Check(Certify(["127.0.0.2", "127.0.0.*"])));
        Assert.Equal("Certificate contains unsupported critical options",
            Check(Certify(["127.0.0.1"], critical: [new("force-command", "/bin/true")])));
        Assert.Equal("Certificate signed with disallowed algorithm", Check(Certify(["127.0.0.1"]), ["rsa-sha2-512"]));
    }

    [Fact]
    public void Validity_is_printed_as_OpenSSH_prints_it()
    {
        Assert.Equal("forever", SshCertificateValidation.FormatValidity(Certify([])));
        var after = Now.ToLocalTime().ToString("yyyy-MM-ddTHH:mm:ss");
        var before = Now.AddDays(1).ToLocalTime().ToString("yyyy-MM-ddTHH:mm:ss");
        Assert.Equal($"after {after}", SshCertificateValidation.FormatValidity(Certify([], validAfter: Seconds(Now))));
        Assert.Equal($"before {before}", SshCertificateValidation.FormatValidity(Certify([], validBefore: Seconds(Now.AddDays(1)))));
        Assert.Equal($"from {after} to {before}",
            SshCertificateValidation.FormatValidity(Certify([], validAfter: Seconds(Now), validBefore: Seconds(Now.AddDays(1)))));
    }

    [Fact]
    public void A_cert_authority_line_for_the_host_vouches_for_certificates_it_signed()
    {
        var kh = Parse("# comment", Line("*.example,127.0.0.1", Ca.PublicKey, "@cert-authority"));
        var known = kh.CheckCertificate("127.0.0.1", 22, Certify(["127.0.0.1"]));
        Assert.Equal((KnownHostsStatus.Known, "kh", 2), (known.Status, known.File, known.Line));
        Assert.Equal(KnownHostsStatus.Unknown, kh.CheckCertificate("127.0.0.2", 22, Certify(["127.0.0.1"])).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.CheckCertificate("127.0.0.1", 2222, Certify(["127.0.0.1"])).Status);
        Assert.Equal(KnownHostsStatus.Unknown, kh.CheckCertificate("127.0.0.1", 22, Certify(["127.0.0.1"], ca: OtherCa)).Status);
        // A plain line for the certified key says nothing about the certificate (ssh retries it as a plain key).
        Assert.Equal(KnownHostsStatus.Unknown, Parse(Line("127.0.0.1", HostKey.PublicKey)).CheckCertificate("127.0.0.1", 22, Certify([])).Status);
    }

    [Fact]
    public void A_revoked_authority_or_certified_key_refuses_the_certificate()
    {
        var certificate = Certify(["127.0.0.1"]);
        var authority = Line("127.0.0.1", Ca.PublicKey, "@cert-authority");
        Assert.Equal(KnownHostsStatus.Revoked, Parse(authority, Line("*", Ca.PublicKey, "@revoked")).CheckCertificate("127.0.0.1", 22, certificate).Status);
        Assert.Equal(KnownHostsStatus.Revoked, Parse(Line("*", HostKey.PublicKey, "@revoked"), authority).CheckCertificate("127.0.0.1", 22, certificate).Status);
        Assert.Equal(KnownHostsStatus.Known, Parse(authority, Line("*", OtherCa.PublicKey, "@revoked")).CheckCertificate("127.0.0.1", 22, certificate).Status);
    }

    [Fact]
    public void Certificate_algorithms_sign_with_their_plain_algorithm_and_come_first_by_default()
    {
        var ed25519 = AlgorithmRegistry.FindHostKey("ssh-ed25519-cert-v01@openssh.com")!;
        Assert.Equal(("ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", true), (ed25519.KeyType, ed25519.SignatureAlgorithm, ed25519.IsCertificate));
        var rsa = AlgorithmRegistry.FindHostKey("rsa-sha2-512-cert-v01@openssh.com")!;
        Assert.Equal(("ssh-rsa-cert-v01@openssh.com", "rsa-sha2-512"), (rsa.KeyType, rsa.SignatureAlgorithm));
        Assert.False(AlgorithmRegistry.FindHostKey("ssh-ed25519")!.IsCertificate);

        // OpenSSH 9.2's default HostKeyAlgorithms, less what Lucid does not implement (security keys).
        Assert.Equal(
            "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
            + "ecdsa-sha2-nistp521-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
            + "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256",
            string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.HostKey)));
        // The library's own default stays plain, so verifiers that pin plain keys are never handed a certificate.
        Assert.DoesNotContain(new Lucid.Ssh.Transport.ClientTransportOptions().HostKeyAlgorithms, n => n.Contains("-cert-"));
    }

    private static readonly string[] Defaults = [.. AlgorithmRegistry.Defaults(AlgorithmCategory.HostKey)];

    [Fact]
    public void Known_hosts_order_prefers_what_it_vouches_for_like_order_hostkeyalgs()
    {
        var ecdsa = SshPrivateKey.Generate("ecdsa", 384).PublicKey;
        // Nothing known: the list as configured.
        Assert.Equal(Defaults, Parse().PreferKnownAlgorithms("h", 22, Defaults));
        // A plain key of the first algorithm's type (ssh-ed25519 for ssh-ed25519-cert-v01): verbatim too.
        Assert.Equal(Defaults, Parse(Line("h", HostKey.PublicKey)).PreferKnownAlgorithms("h", 22, Defaults));
        // A recorded ECDSA P-384 key: its certificate and plain algorithms first, in their original order.
        Assert.Equal(
            ["ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384", .. Defaults.Where(a => !a.StartsWith("ecdsa-sha2-nistp384"))],
            Parse(Line("[h]:2222", ecdsa)).PreferKnownAlgorithms("h", 2222, Defaults));
        // A certificate authority for the host (and a recorded ECDSA key): every certificate algorithm, then ECDSA P-384.
        var plainOnly = Defaults.Where(a => !a.Contains("-cert-")).ToArray();
        Assert.Equal(
            [.. AlgorithmRegistry.HostCertificate.Where(a => a.EnabledByDefault).Select(a => a.Name), "ecdsa-sha2-nistp384", .. plainOnly.Where(a => a != "ecdsa-sha2-nistp384")],
            Parse(Line("h", Ca.PublicKey, "@cert-authority"), Line("h", ecdsa)).PreferKnownAlgorithms("h", 22, Defaults));
        // A certificate authority moves certificate algorithms ahead of a plain-only configured list's plain ones.
        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"],
            Parse(Line("h", Ca.PublicKey, "@cert-authority")).PreferKnownAlgorithms("h", 22, ["ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"]));
    }
}
