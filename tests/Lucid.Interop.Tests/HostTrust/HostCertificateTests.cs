using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>
/// OpenSSH host certificates (ssh-keygen -s ca -h) served by OpenSSH's sshd (HostCertificate) and trusted by `lucid ssh`
/// through known_hosts @cert-authority lines; every refusal is compared with what OpenSSH's ssh prints for the same
/// server and known_hosts file.
/// </summary>
public sealed class HostCertificateTests : IAsyncLifetime
{
    private string _dir = "";
    private string _ca = "", _hostKey = "";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("lucid-hostcert-").FullName;
        _ca = Path.Combine(_dir, "ca");
        _hostKey = Path.Combine(_dir, "host");
        await KeygenAsync("-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", _ca);
        await KeygenAsync("-q", "-t", "ed25519", "-N", "", "-f", _hostKey);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    private static async Task KeygenAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("ssh-keygen", args);
        Assert.True(result.ExitCode == 0, result.StdErr);
    }

    /// <summary>Certifies the host key under <paramref name="name"/> (ssh-keygen -s ca -h -I id ...) and returns the certificate's path.</summary>
    private async Task<string> CertifyAsync(string name, params string[] options)
    {
        var pub = Path.Combine(_dir, name + ".pub");
        File.Copy(_hostKey + ".pub", pub);
        await KeygenAsync(["-q", "-s", _ca, "-h", "-I", name, .. options, pub]);
        return Path.Combine(_dir, name + "-cert.pub");
    }

    private Task<OpenSshServer> ServeAsync(string certificate) =>
        OpenSshServer.StartAsync($"HostKey {_hostKey}", $"HostCertificate {certificate}");

    private string KeyText(string path) => string.Join(' ', File.ReadAllText(path + ".pub").Split(' ')[..2]);

    private string KnownHosts(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    private static string[] Args(OpenSshServer server, string knownHosts, string strict, params string[] extra) =>
    [
        "-F", "/dev/null", "-p", server.Port.ToString(), "-i", server.ClientKeyPath("ed25519"),
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=" + strict,
        "-o", "BatchMode=yes", "-l", server.User, .. extra, server.Host, "true",
    ];

    /// <summary>OpenSSH's ssh and `lucid ssh` against the same server, each with its own copy of the known_hosts file.</summary>
    private static async Task<(ProcessResult Real, ProcessResult Ours, string RealFile, string OurFile)> BothAsync(
        OpenSshServer server, string knownHosts, string strict, params string[] extra)
    {
        var realFile = knownHosts + ".openssh";
        var ourFile = knownHosts + ".lucid";
        File.Copy(knownHosts, realFile);
        File.Copy(knownHosts, ourFile);
        var real = await ProcessRunner.RunAsync("ssh", Args(server, realFile, strict, extra));
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. Args(server, ourFile, strict, extra)]);
        return (real, ours, File.ReadAllText(realFile), File.ReadAllText(ourFile));
    }

    [Fact]
    public async Task A_host_known_only_through_its_certificate_authority_is_trusted_and_not_recorded()
    {
        await using var server = await ServeAsync(await CertifyAsync("good", "-n", "127.0.0.1"));
        var knownHosts = KnownHosts("known_hosts", $"@cert-authority 127.0.0.1 {KeyText(_ca)}");

        var (real, ours, _, ourFile) = await BothAsync(server, knownHosts, "yes", "-v");
        Assert.Equal((0, 0), (real.ExitCode, ours.ExitCode));
        Assert.Equal($"@cert-authority 127.0.0.1 {KeyText(_ca)}\n", ourFile);

        // The negotiated algorithm and the -v lines about the certificate are OpenSSH's, word for word.
        static string[] CertificateLines(string stderr) =>
        [
            .. stderr.Replace("\r", "").Split('\n').Where(l => l.StartsWith("debug1: kex: host key algorithm:", StringComparison.Ordinal)
                || l.StartsWith("debug1: Server host certificate:", StringComparison.Ordinal)
                || l.StartsWith("debug1: Host '", StringComparison.Ordinal) || l.StartsWith("debug1: checking without port", StringComparison.Ordinal)
                || l.StartsWith("debug1: found matching key", StringComparison.Ordinal)),
        ];
        var expected = CertificateLines(real.StdErr);
        Assert.Contains("debug1: kex: host key algorithm: ssh-ed25519-cert-v01@openssh.com", expected);
        Assert.Contains("debug1: Host '127.0.0.1' is known and matches the ED25519-CERT host certificate.", expected);
        var caFingerprint = (await ProcessRunner.RunAsync("ssh-keygen", ["-l", "-f", _ca + ".pub"])).StdOut.Split(' ')[1];
        Assert.Contains(expected, l => l.StartsWith("debug1: Server host certificate: ssh-ed25519-cert-v01@openssh.com SHA256:", StringComparison.Ordinal)
            && l.EndsWith($" serial 0 ID \"good\" CA ssh-ed25519 {caFingerprint} valid forever", StringComparison.Ordinal));
        Assert.Equal(expected, CertificateLines(ours.StdErr));
    }

    [Fact]
    public async Task A_certificate_authority_line_with_the_port_is_asked_for_the_certificate()
    {
        await using var server = await ServeAsync(await CertifyAsync("port", "-n", "127.0.0.1"));
        // Only a certificate authority known for "[127.0.0.1]:port": the certificate algorithms go first, as OpenSSH's.
        var knownHosts = KnownHosts("known_hosts", $"@cert-authority [127.0.0.1]:{server.Port} {KeyText(_ca)}");
        var ours = await Lucid.RunAsync(["ssh", .. Args(server, knownHosts, "yes", "-v")]);
        Assert.Equal(0, ours.ExitCode);
        Assert.Contains($"debug1: Host '[127.0.0.1]:{server.Port}' is known and matches the ED25519-CERT host certificate.", ours.StdErr);
    }

    public static TheoryData<string, string[], string> Refusals() => new()
    {
        { "wrong-principal", ["-n", "other.example"], "Certificate invalid: name is not a listed principal" },
        { "expired", ["-n", "127.0.0.1", "-V", "20200101:20200102"], "Certificate invalid: expired" },
        { "not-yet-valid", ["-n", "127.0.0.1", "-V", "+3650d:+3660d"], "Certificate invalid: not yet valid" },
        { "disallowed-ca", ["-n", "127.0.0.1"], "Certificate signed with disallowed algorithm" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task An_invalid_certificate_is_refused_with_OpenSSHs_words(string id, string[] options, string reason)
    {
        // "disallowed-ca": a CA whose signature algorithm CASignatureAlgorithms leaves out.
        string[] ssh = id == "disallowed-ca" ? ["-o", "CASignatureAlgorithms=rsa-sha2-512"] : [];
        await using var server = await ServeAsync(await CertifyAsync(id, options));
        var knownHosts = KnownHosts("known_hosts", $"@cert-authority 127.0.0.1 {KeyText(_ca)}");

        var (real, ours, _, ourFile) = await BothAsync(server, knownHosts, "yes", ssh);
        Assert.Equal(
            $"{reason}\r\nNo ED25519 host key is known for [127.0.0.1]:{server.Port} and you have requested strict checking.\r\nHost key verification failed.\r\n",
            real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal((255, 255), (real.ExitCode, ours.ExitCode));
        Assert.Equal($"@cert-authority 127.0.0.1 {KeyText(_ca)}\n", ourFile);
    }

    [Fact]
    public async Task An_invalid_certificate_falls_back_to_its_plain_key_which_accept_new_records()
    {
        await using var server = await ServeAsync(await CertifyAsync("fallback", "-n", "other.example"));
        var knownHosts = KnownHosts("known_hosts", $"@cert-authority 127.0.0.1 {KeyText(_ca)}");

        var (real, ours, realFile, ourFile) = await BothAsync(server, knownHosts, "accept-new");
        Assert.Equal((0, 0), (real.ExitCode, ours.ExitCode));
        Assert.StartsWith("Certificate invalid: name is not a listed principal\r\nWarning: Permanently added", real.StdErr);
        // (Then the fixture's sshd sends its DEBUG1 session lines, to either client.)
        Assert.Equal(real.StdErr.Split('\n')[..2], ours.StdErr.Split('\n')[..2]);
        Assert.Equal(realFile, ourFile);
        Assert.EndsWith($"[127.0.0.1]:{server.Port} {KeyText(_hostKey)}\n", ourFile);
    }

    [Fact]
    public async Task A_certificate_without_a_known_authority_is_checked_as_its_plain_key()
    {
        await using var server = await ServeAsync(await CertifyAsync("plain", "-n", "127.0.0.1"));
        // The plain key recorded without a port: OpenSSH accepts it for any port ("checking without port identifier").
        var knownHosts = KnownHosts("known_hosts", $"127.0.0.1 {KeyText(_hostKey)}");

        var (real, ours, realFile, ourFile) = await BothAsync(server, knownHosts, "yes", "-v");
        Assert.Equal((0, 0), (real.ExitCode, ours.ExitCode));
        Assert.Equal(realFile, ourFile);
        static string[] Lines(string stderr) =>
        [
            .. stderr.Replace("\r", "").Split('\n').Where(l => l.StartsWith("debug1: kex: host key algorithm:", StringComparison.Ordinal)
                || l.StartsWith("debug1: No matching CA", StringComparison.Ordinal) || l.StartsWith("debug1: Host '", StringComparison.Ordinal)
                || l.StartsWith("debug1: checking without port", StringComparison.Ordinal) || l.StartsWith("debug1: found matching key", StringComparison.Ordinal)),
        ];
        Assert.Equal(
        [
            "debug1: kex: host key algorithm: ssh-ed25519-cert-v01@openssh.com", "debug1: checking without port identifier",
            "debug1: No matching CA found. Retry with plain key", "debug1: Host '127.0.0.1' is known and matches the ED25519 host key.",
            "debug1: found matching key w/out port",
        ], Lines(real.StdErr));
        Assert.Equal(Lines(real.StdErr), Lines(ours.StdErr));
    }

    [Theory]
    [InlineData("ca")]
    [InlineData("host")]
    public async Task A_revoked_certificate_authority_or_certified_key_is_refused(string revoked)
    {
        await using var server = await ServeAsync(await CertifyAsync("revoked-" + revoked, "-n", "127.0.0.1"));
        var knownHosts = KnownHosts("known_hosts",
            $"@cert-authority 127.0.0.1 {KeyText(_ca)}", $"@revoked * {KeyText(revoked == "ca" ? _ca : _hostKey)}");

        var (real, ours, _, _) = await BothAsync(server, knownHosts, "yes");
        Assert.Contains("@       WARNING: REVOKED HOST KEY DETECTED!               @\r\n", real.StdErr);
        Assert.Contains($"The ED25519-CERT host key for [127.0.0.1]:{server.Port} is marked as revoked.\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal((255, 255), (real.ExitCode, ours.ExitCode));
    }
}
