namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// User certificates in `lucid sshd`, logged in with OpenSSH's ssh (which offers id-cert.pub beside id): accepted
/// through TrustedUserCAKeys and cert-authority lines whether lucid or OpenSSH signed them, for every key type as
/// CA and as subject; refused, with OpenSSH's log lines, when expired, not yet valid, for another principal, revoked
/// by a KRL, from outside source-address, signed by an untrusted CA or with a CA algorithm CASignatureAlgorithms
/// leaves out; force-command and no-pty take effect. OpenSSH's sshd accepts what lucid signs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SshdUserCertificateTests : IClassFixture<SshdUserCertificateTests.Material>
{
    private const string User = LucidSshd.TestUser;
    private readonly Material _m;

    public SshdUserCertificateTests(Material material) => _m = material;

    /// <summary>CA and subject keys made once by Debian's ssh-keygen, in a directory sshd (and OpenSSH's, as the user) can read.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public sealed class Material : IAsyncLifetime
    {
        public static readonly string[] Types = ["ed25519", "ecdsa", "rsa"];
        public string Dir { get; } = Directory.CreateTempSubdirectory("lucid-usercert-").FullName;
        private int _cases;

        public async Task InitializeAsync()
        {
            File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
            var jobs = new List<Task<ProcessResult>>();
            foreach (var type in Types)
                foreach (var role in new[] { "ca", "user" })
                    jobs.Add(ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", type, "-b", type == "rsa" ? "2048" : type == "ecdsa" ? "384" : "256",
                        "-N", "", "-C", $"{role}-{type}", "-f", Path.Combine(Dir, $"{role}_{type}")]));
            jobs.Add(ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(Dir, "ca_untrusted")]));
            foreach (var r in await Task.WhenAll(jobs))
                Assert.True(r.ExitCode == 0, r.ToString());
            await File.WriteAllTextAsync(Path.Combine(Dir, "trusted_cas"),
                "# the organisation's user CAs\n" + string.Concat(Types.Select(t => File.ReadAllText(Path.Combine(Dir, $"ca_{t}.pub")))));
            await File.WriteAllTextAsync(Path.Combine(Dir, "ca_authorized_keys"),
                $"cert-authority,principals=\"deploy,ops\" {File.ReadAllText(Path.Combine(Dir, "ca_ed25519.pub"))}");
            Directory.CreateDirectory(Path.Combine(Dir, "principals"));
            await File.WriteAllTextAsync(Path.Combine(Dir, "principals", User), "# who may be lucidsshdtest\ndeploy\n");
            // sshd reads these as root, OpenSSH's sshd-session the principals file as the user.
            foreach (var file in new[] { "trusted_cas", "ca_authorized_keys", Path.Combine("principals", User) })
                File.SetUnixFileMode(Path.Combine(Dir, file), (UnixFileMode)0b110_100_100);
            File.SetUnixFileMode(Path.Combine(Dir, "principals"), (UnixFileMode)0b111_101_101);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Dir, recursive: true);
            return Task.CompletedTask;
        }

        /// <summary>
        /// A copy of the subject's key in a directory of its own, certified by <paramref name="ca"/> (lucid's or
        /// OpenSSH's ssh-keygen, with <paramref name="args"/>) as id-cert.pub beside it; returns the private key's path.
        /// </summary>
        public async Task<string> CertifyAsync(string subject, string ca, bool byLucid, params string[] args)
        {
            var dir = Path.Combine(Dir, $"case{Interlocked.Increment(ref _cases)}");
            Directory.CreateDirectory(dir);
            var key = Path.Combine(dir, "id");
            File.Copy(Path.Combine(Dir, $"user_{subject}"), key);
            File.Copy(Path.Combine(Dir, $"user_{subject}.pub"), key + ".pub");
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            string[] sign = ["-q", "-s", Path.Combine(Dir, $"ca_{ca}"), .. args, key + ".pub"];
            var r = byLucid ? await Lucid.RunAsync(["ssh-keygen", .. sign]) : await ProcessRunner.RunAsync("ssh-keygen", sign);
            Assert.True(r.ExitCode == 0, r.ToString());
            return key;
        }

        public async Task<string> FingerprintAsync(string pub) => (await ProcessRunner.RunAsync("ssh-keygen", ["-l", "-f", pub])).StdOut.Split(' ')[1];
    }

    private static Task<ProcessResult> Ssh(int port, string key, string command, params string[] extra) =>
        ProcessRunner.RunAsync("ssh",
        [
            "-F", "/dev/null", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", key,
            "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", .. extra, "-l", User, "127.0.0.1", command,
        ], timeout: TimeSpan.FromSeconds(60));

    private string TrustedCas => $"TrustedUserCAKeys {Path.Combine(_m.Dir, "trusted_cas")}";

    // No authorized_keys: only a certificate can let the user in.
    private string NoKeys => $"AuthorizedKeysFile {Path.Combine(_m.Dir, "no_such_file")}";

    [Fact]
    public async Task Certificates_from_lucid_and_openssh_log_in_for_every_ca_and_subject_type()
    {
        await using var server = await LucidSshd.StartAsync(TrustedCas, NoKeys);
        var serial = 100;
        foreach (var ca in Material.Types)
            foreach (var subject in Material.Types)
                foreach (var byLucid in new[] { true, false })
                {
                    if (!byLucid && ca != subject)
                        continue; // OpenSSH-signed ones on the diagonal keep the test short
                    var id = $"{subject}-by-{ca}-{(byLucid ? "lucid" : "openssh")}";
                    var key = await _m.CertifyAsync(subject, ca, byLucid, "-I", id, "-n", $"other,{User}", "-z", $"{++serial}", "-V", "-5m:+1h");
                    var r = await Ssh(server.Port, key, "echo in");
                    Assert.True(r.StdOut == "in\n", $"{id}: {r}\n--- log\n{server.Log}");
                    string label = subject.ToUpperInvariant(), caLabel = ca.ToUpperInvariant();
                    await server.WaitForLogAsync($"Accepted publickey for {User} from 127.0.0.1 port ");
                    await server.WaitForLogAsync($"ssh2: {label}-CERT {await _m.FingerprintAsync(key + ".pub")} ID {id} (serial {serial}) " +
                        $"CA {caLabel} {await _m.FingerprintAsync(Path.Combine(_m.Dir, $"ca_{ca}.pub"))}");
                    await server.WaitForLogAsync($"Accepted certificate ID \"{id}\" (serial {serial}) signed by {caLabel} CA ");
                }
    }

    [Fact]
    public async Task Refusals_are_logged_in_openssh_words_and_the_client_is_denied()
    {
        await using var server = await LucidSshd.StartAsync(TrustedCas, NoKeys);
        string caFingerprint = await _m.FingerprintAsync(Path.Combine(_m.Dir, "ca_ed25519.pub"));
        var cases = new (string Id, string[] Args, string Logged)[]
        {
            ("expired", ["-V", "20200101:20210101"], "Certificate invalid: expired"),
            ("future", ["-V", "+520w:+521w"], "Certificate invalid: not yet valid"),
            ("someone-else", ["-n", "bob"], "Certificate invalid: name is not a listed principal"),
            ("no-principals", [], "Certificate lacks principal list"),
            ("elsewhere", ["-n", User, "-O", "source-address=10.0.0.0/8"], "Refused by certificate options"),
            ("unknown-critical", ["-n", User, "-O", "critical:no-such-option@example.com"], "Invalid certificate options"),
        };
        foreach (var (id, args, logged) in cases)
        {
            var key = await _m.CertifyAsync("ed25519", "ed25519", byLucid: true, ["-I", id, .. args]);
            var r = await Ssh(server.Port, key, "echo in");
            Assert.Equal(255, r.ExitCode);
            Assert.Contains($"{User}@127.0.0.1: Permission denied (publickey", r.StdErr);
            await server.WaitForLogAsync($"Refusing certificate ID \"{id}\" serial=0 signed by ED25519 CA {caFingerprint}: {logged}");
        }
        await server.WaitForLogAsync($"cert: Authentication tried for {User} with valid certificate but not from a permitted source address (127.0.0.1).");
        await server.WaitForLogAsync("Certificate critical option \"no-such-option@example.com\" is not supported");

        // OpenSSH's ssh does not even offer a host certificate as a user's.
        var host = await _m.CertifyAsync("ed25519", "ed25519", byLucid: true, "-I", "host-cert", "-h", "-n", User);
        Assert.Equal(255, (await Ssh(server.Port, host, "echo in")).ExitCode);

        var untrusted = await _m.CertifyAsync("ed25519", "untrusted", byLucid: true, "-I", "untrusted", "-n", User);
        Assert.Equal(255, (await Ssh(server.Port, untrusted, "echo in")).ExitCode);

        // ssh-rsa (SHA-1) CA signatures are outside the default CASignatureAlgorithms.
        var sha1 = await _m.CertifyAsync("ed25519", "rsa", byLucid: true, "-I", "sha1", "-n", User, "-t", "ssh-rsa");
        Assert.Equal(255, (await Ssh(server.Port, sha1, "echo in")).ExitCode);
        await server.WaitForLogAsync("userauth_pubkey: certificate signature algorithm ssh-rsa: signature algorithm not supported");
        Assert.DoesNotContain("Accepted publickey", server.Log);
    }

    [Fact]
    public async Task Force_command_and_missing_permissions_take_effect()
    {
        await using var server = await LucidSshd.StartAsync(TrustedCas, NoKeys);
        var forced = await _m.CertifyAsync("ecdsa", "ed25519", byLucid: true, "-I", "forced", "-n", User, "-O", "force-command=echo forced");
        var r = await Ssh(server.Port, forced, "echo asked");
        Assert.Equal(("forced\n", 0), (r.StdOut, r.ExitCode));

        var noPty = await _m.CertifyAsync("ecdsa", "ed25519", byLucid: true, "-I", "no-pty", "-n", User, "-O", "no-pty");
        // With -tt OpenSSH's ssh gives up when the terminal is refused, as it does for authorized_keys' no-pty.
        r = await Ssh(server.Port, noPty, "tty", "-tt");
        Assert.Equal((255, ""), (r.ExitCode, r.StdOut));
        Assert.Contains("PTY allocation request failed on channel 0", r.StdErr);
        Assert.Equal("not a tty\n", (await Ssh(server.Port, noPty, "tty; true")).StdOut);

        var withPty = await _m.CertifyAsync("ecdsa", "ed25519", byLucid: true, "-I", "pty", "-n", User);
        r = await Ssh(server.Port, withPty, "tty", "-tt");
        Assert.StartsWith("/dev/pts/", r.StdOut);
    }

    [Fact]
    public async Task Principals_file_and_cert_authority_lines_choose_who_may_log_in()
    {
        string principals = $"AuthorizedPrincipalsFile {Path.Combine(_m.Dir, "principals", "%u")}";
        await using (var server = await LucidSshd.StartAsync(TrustedCas, NoKeys, principals))
        {
            var deploy = await _m.CertifyAsync("ed25519", "ecdsa", byLucid: true, "-I", "deployer", "-n", "deploy");
            Assert.Equal("in\n", (await Ssh(server.Port, deploy, "echo in")).StdOut);
            var named = await _m.CertifyAsync("ed25519", "ecdsa", byLucid: true, "-I", "named", "-n", User);
            Assert.Equal(255, (await Ssh(server.Port, named, "echo in")).ExitCode);
            await server.WaitForLogAsync("Refusing certificate ID \"named\" serial=0 signed by ECDSA CA ");
            await server.WaitForLogAsync(": Certificate does not contain an authorized principal");
        }

        await using (var server = await LucidSshd.StartAsync($"AuthorizedKeysFile {Path.Combine(_m.Dir, "ca_authorized_keys")}"))
        {
            var ops = await _m.CertifyAsync("rsa", "ed25519", byLucid: false, "-I", "ops-person", "-n", "ops");
            Assert.Equal("in\n", (await Ssh(server.Port, ops, "echo in")).StdOut);
            await server.WaitForLogAsync($"Accepted certificate ID \"ops-person\" (serial 0) signed by CA ED25519 ");
            await server.WaitForLogAsync($" found at {Path.Combine(_m.Dir, "ca_authorized_keys")}:1");
            var named = await _m.CertifyAsync("rsa", "ed25519", byLucid: true, "-I", "named", "-n", User);
            Assert.Equal(255, (await Ssh(server.Port, named, "echo in")).ExitCode);
            await server.WaitForLogAsync(": Certificate does not contain an authorized principal");
            // A CA on a cert-authority line is not trusted for other CAs' certificates.
            var other = await _m.CertifyAsync("rsa", "ecdsa", byLucid: true, "-I", "other-ca", "-n", "ops");
            Assert.Equal(255, (await Ssh(server.Port, other, "echo in")).ExitCode);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Krl_revokes_certificates_by_serial_id_and_key(bool krlByLucid)
    {
        // The KRL written by OpenSSH's ssh-keygen -k, or by lucid's: sshd must read both alike.
        Task<ProcessResult> Keygen(params string[] args) => krlByLucid
            ? ProcessRunner.RunAsync(Lucid.Executable, ["ssh-keygen", .. args])
            : ProcessRunner.RunAsync("ssh-keygen", args);
        var krl = Path.Combine(_m.Dir, "revoked.krl");
        var spec = Path.Combine(_m.Dir, "krl.spec");
        await File.WriteAllTextAsync(spec, "serial: 13\nid: revoked-id\n");
        var k = await Keygen("-k", "-f", krl, "-s", Path.Combine(_m.Dir, "ca_ed25519.pub"), spec);
        Assert.True(k.ExitCode == 0, k.ToString());
        k = await Keygen("-k", "-u", "-f", krl, Path.Combine(_m.Dir, "user_rsa.pub"));
        Assert.True(k.ExitCode == 0, k.ToString());
        File.SetUnixFileMode(krl, (UnixFileMode)0b110_100_100);

        await using var server = await LucidSshd.StartAsync(TrustedCas, NoKeys, $"RevokedKeys {krl}");
        foreach (var (subject, args) in new (string, string[])[] { ("ed25519", ["-z", "13"]), ("ecdsa", ["-I", "revoked-id"]), ("rsa", []) })
        {
            var key = await _m.CertifyAsync(subject, "ed25519", byLucid: true, ["-I", "x", "-n", User, .. args]);
            Assert.Equal(255, (await Ssh(server.Port, key, "echo in")).ExitCode);
            await server.WaitForLogAsync($"Authentication key {subject.ToUpperInvariant()}-CERT {await _m.FingerprintAsync(key + ".pub")} revoked by file {krl}");
        }
        var kept = await _m.CertifyAsync("ed25519", "ed25519", byLucid: true, "-I", "kept", "-n", User, "-z", "14");
        Assert.Equal("in\n", (await Ssh(server.Port, kept, "echo in")).StdOut);
    }

    private static Task<ProcessResult> LucidSsh(int port, string key, string command, params string[] extra) =>
        Lucid.RunAsync(
        [
            "ssh", "-F", "/dev/null", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", key,
            "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", .. extra, "-l", User, "127.0.0.1", command,
        ]);

    [Fact]
    public async Task Lucid_ssh_offers_the_certificate_beside_the_key_and_certificate_files()
    {
        await using var lucid = await LucidSshd.StartAsync(TrustedCas, NoKeys);
        await using var openSsh = await LucidSshd.StartOpenSsh105Async(TrustedCas, NoKeys);
        foreach (var (subject, ca) in new[] { ("ed25519", "rsa"), ("ecdsa", "ed25519"), ("rsa", "ecdsa") })
        {
            var key = await _m.CertifyAsync(subject, ca, byLucid: subject != "rsa", "-I", $"lucid-ssh-{subject}", "-n", User);
            foreach (var server in new[] { lucid, openSsh })
            {
                var r = await LucidSsh(server.Port, key, "echo in");
                Assert.True(r.StdOut == "in\n", $"{subject}: {r}\n--- log\n{server.Log}");
            }
            await lucid.WaitForLogAsync($"Accepted publickey for {User} from 127.0.0.1 port ");
            await lucid.WaitForLogAsync($"ID lucid-ssh-{subject} (serial 0) CA {ca.ToUpperInvariant()} ");
        }

        // CertificateFile names a certificate under any name; it goes with the identity whose key it certifies.
        var elsewhere = await _m.CertifyAsync("ed25519", "ed25519", byLucid: true, "-I", "certificate-file", "-n", User);
        var moved = Path.Combine(Path.GetDirectoryName(elsewhere)!, "the-cert.pub");
        File.Move(elsewhere + "-cert.pub", moved);
        Assert.Equal(255, (await LucidSsh(lucid.Port, elsewhere, "echo in")).ExitCode);
        var withFile = await LucidSsh(lucid.Port, elsewhere, "echo in", "-o", $"CertificateFile={moved}");
        Assert.True(withFile.StdOut == "in\n", withFile.ToString());
        await lucid.WaitForLogAsync("ID certificate-file (serial 0) CA ED25519 ");
    }

    [Fact]
    public async Task OpenSsh_sshd_accepts_lucid_signed_certificates_and_refuses_the_same_ones()
    {
        await using var server = await LucidSshd.StartOpenSsh105Async(TrustedCas, NoKeys);
        foreach (var ca in Material.Types)
        {
            var key = await _m.CertifyAsync(ca == "rsa" ? "ecdsa" : "rsa", ca, byLucid: true, "-I", $"by-{ca}", "-n", User, "-z", "7");
            var r = await Ssh(server.Port, key, "echo in");
            Assert.True(r.StdOut == "in\n", $"{ca}: {r}\n--- log\n{server.Log}");
        }
        var expired = await _m.CertifyAsync("ed25519", "ed25519", byLucid: true, "-I", "expired", "-n", User, "-V", "20200101:20210101");
        Assert.Equal(255, (await Ssh(server.Port, expired, "echo in")).ExitCode);
        await server.WaitForLogAsync("Refusing certificate ID \"expired\" serial=0 signed by ED25519 CA ");
        await server.WaitForLogAsync(": Certificate invalid: expired");
    }
}
