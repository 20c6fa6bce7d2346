using Lucid.Ssh.Keys;

namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// ssh-keygen -s and -L: certificates lucid issues read exactly like OpenSSH's own under OpenSSH's ssh-keygen -L
/// (every key type as CA and as subject), lucid's -L prints what OpenSSH's prints, and the errors agree.
/// </summary>
public sealed class KeygenCertificateTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private static readonly string[] Subjects = ["ed25519", "ecdsa", "rsa"];

    private async Task Generate(string name, string type, string bits)
    {
        var result = await _box.OpenSsh("-q", "-t", type, "-b", bits, "-N", "", "-C", name + "@example", "-f", name);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private async Task GenerateSubjects()
    {
        foreach (var type in Subjects)
            await Generate(type, type, type == "rsa" ? "2048" : type == "ecdsa" ? "384" : "256");
    }

    /// <summary>Copies the subjects' public keys into a directory of their own, so each side writes its own -cert.pub files.</summary>
    private string[] SubjectCopies(string dir)
    {
        Directory.CreateDirectory(_box.PathOf(dir));
        return Subjects.Select(s =>
        {
            File.Copy(_box.PathOf(s + ".pub"), _box.PathOf($"{dir}/{s}.pub"));
            return $"{dir}/{s}.pub";
        }).ToArray();
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.Types), MemberType = typeof(KeygenKeys))]
    public async Task Lucid_certificates_read_like_openssh_ones_under_openssh_ssh_keygen_L(string caType, string caBits)
    {
        await Generate("ca", caType, caBits);
        await GenerateSubjects();
        string[] args = ["-s", "ca", "-I", "alice@example.com", "-n", "alice,deploy", "-V", "20260101:20270101123000", "-z", "+7",
            "-O", "no-pty", "-O", "force-command=/usr/bin/true", "-O", "source-address=10.0.0.0/8,127.0.0.1", "-O", "extension:custom@example.com=v"];

        var ours = await _box.Lucid([.. args, .. SubjectCopies("ours")]);
        var theirs = await _box.OpenSsh([.. args, .. SubjectCopies("theirs")]);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(theirs.StdErr.Replace("theirs/", "ours/"), ours.StdErr);
        Assert.Contains("Signed user key ours/rsa-cert.pub: id \"alice@example.com\" serial 9 for alice,deploy valid from 2026-01-01T00:00:00 to 2027-01-01T12:30:00", ours.StdErr);

        foreach (var subject in Subjects)
        {
            var openSshReadsOurs = await _box.OpenSsh("-L", "-f", $"ours/{subject}-cert.pub");
            var openSshReadsTheirs = await _box.OpenSsh("-L", "-f", $"theirs/{subject}-cert.pub");
            Assert.Equal(0, openSshReadsOurs.ExitCode);
            Assert.Equal(openSshReadsTheirs.StdOut.Replace("theirs/", "ours/"), openSshReadsOurs.StdOut);
            // The comment is the subject's, as ssh-keygen writes it.
            Assert.EndsWith($" {subject}@example\n", _box.Read($"ours/{subject}-cert.pub"));
            await _box.AssertSameAsOpenSsh("-L", "-f", $"theirs/{subject}-cert.pub");
        }
    }

    [Fact]
    public async Task Host_certificates_and_every_certificate_option_print_alike()
    {
        await Generate("ca", "ed25519", "256");
        await GenerateSubjects();
        string[] args = ["-s", "ca", "-I", "web01", "-h", "-n", "web01.example.com,10.1.2.3", "-V", "always:forever",
            "-O", "critical:custom=x", "-O", "extension:flag@example.com", "-O", "extension:empty@example.com="];
        var ours = await _box.Lucid([.. args, .. SubjectCopies("ours")]);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        foreach (var subject in Subjects)
            await _box.AssertSameAsOpenSsh("-L", "-f", $"ours/{subject}-cert.pub");

        string[] user = ["-s", "ca", "-I", "u", "-O", "clear", "-O", "permit-pty", "-O", "permit-X11-forwarding", "-O", "verify-required",
            "-O", "no-touch-required", "-O", "permit-user-rc", "-O", "no-user-rc", "-O", "permit-agent-forwarding", "-O", "permit-port-forwarding"];
        var signed = await _box.Lucid([.. user, "ed25519.pub"]);
        Assert.True(signed.ExitCode == 0, signed.ToString());
        var shown = await _box.AssertSameAsOpenSsh("-L", "-f", "ed25519-cert.pub");
        Assert.Contains("        Critical Options: \n                verify-required\n", shown.StdOut);
        Assert.Contains("                no-touch-required\n                permit-X11-forwarding\n", shown.StdOut);
        Assert.DoesNotContain("permit-user-rc", shown.StdOut);
    }

    [Fact]
    public async Task L_reports_lines_that_are_not_certificates_as_openssh_does()
    {
        await Generate("ca", "ed25519", "256");
        await Generate("user", "ecdsa", "256");
        Assert.Equal(0, (await _box.Lucid("-q", "-s", "ca", "-I", "x", "-n", "a", "user.pub")).ExitCode);
        string cert = _box.Read("user-cert.pub");
        _box.Write("multi", "# comment\n" + cert + "\n  \n" + _box.Read("user.pub") + "garbage line\nssh-ed25519 AAAAbad\n" + cert, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var ours = await _box.AssertSameAsOpenSsh("-L", "-f", "multi");
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal("multi:3: invalid key: invalid format\r\nmulti:4: invalid key: invalid format\r\nmulti:5 is not a certificate\r\n" +
            "multi:6: invalid key: invalid format\r\nmulti:7: invalid key: invalid format\r\n", ours.StdErr);
        await _box.AssertSameAsOpenSsh("-L", "-f", "user.pub");
        await _box.AssertSameAsOpenSsh("-L", "-f", "missing");
        await _box.AssertSameAsOpenSsh("-L", "-E", "md5", "-f", "user-cert.pub");
        await _box.AssertSameAsOpenSshWithInput(cert, "-L", "-f", "-");
    }

    [Theory]
    [InlineData("20260101:20270101")]
    [InlineData("always:forever")]
    [InlineData("20260101120000Z:0x7fffffff")]
    [InlineData("202601011200:forever")]
    [InlineData("always:20260101")]
    [InlineData("0x10:0x20")]
    [InlineData("20260101UTC:20260102")]
    public async Task Absolute_validity_forms_match_openssh(string validity)
    {
        await Generate("ca", "ed25519", "256");
        await Generate("user", "ed25519", "256");
        var ours = await _box.AssertSameAsOpenSsh("-s", "ca", "-I", "x", "-V", validity, "user.pub");
        Assert.Equal(0, ours.ExitCode);
        await _box.AssertSameAsOpenSsh("-L", "-f", "user-cert.pub");
    }

    [Theory]
    [InlineData("+52w", -1, 52 * 7 * 86400)]
    [InlineData("-1d:+1h", -86400, 3600)]
    [InlineData("+1h30m:+2d", 5400, 2 * 86400)]
    public async Task Relative_validity_is_counted_from_now(string validity, long from, long to)
    {
        await Generate("ca", "ed25519", "256");
        await Generate("user", "ed25519", "256");
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var ours = await _box.Lucid("-q", "-s", "ca", "-I", "x", "-V", validity, "user.pub");
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.True(ours.ExitCode == 0, ours.ToString());
        var cert = (SshCertificate)SshPublicKey.ParseLine(_box.Read("user-cert.pub"));
        Assert.InRange((long)cert.ValidBefore, before + to, after + to);
        if (from == -1)
        {
            // "+life" alone starts a minute back, on a whole minute, for badly synchronised clocks.
            Assert.Equal(0UL, cert.ValidAfter % 60);
            Assert.InRange((long)cert.ValidAfter, before - 119, after);
        }
        else
        {
            Assert.InRange((long)cert.ValidAfter, before + from, after + from);
        }
    }

    [Theory]
    [InlineData("-s", "ca", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-t", "ed25519", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-t", "rsa", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-t", "ssh-ed25519-cert-v01@openssh.com", "user.pub")]
    [InlineData("-s", "rca", "-I", "x", "-t", "rsa", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "+1x", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "5:6", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "-1d", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "-1d:", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "0x:forever", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-V", "20270101:20260101", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-z", "abc", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-z", "18446744073709551616", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "bogus", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "force-command=", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "force-command=a", "-O", "force-command=b", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "source-address=foo", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "source-address=10.0.0.1/8", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-O", "source-address=10.0.0.0/8,", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "-n", "a,,b", "user.pub")]
    [InlineData("-s", "missing", "-I", "x", "user.pub")]
    [InlineData("-s", "ca", "-I", "x", "missing.pub")]
    [InlineData("-s", "ca", "-I", "x", "-t", "ssh-rsa", "-h", "-z", "+5", "user.pub", "ca.pub")]
    [InlineData("-s", "ca", "-I", "x", "-q", "user.pub")]
    public async Task Messages_and_exit_codes_match_openssh(params string[] args)
    {
        await Generate("ca", "ed25519", "256");
        await Generate("rca", "rsa", "2048");
        await Generate("user", "ecdsa", "256");
        var ours = await _box.AssertSameAsOpenSsh(args);
        if (ours.ExitCode == 0)
            await _box.AssertSameAsOpenSsh("-L", "-f", "user-cert.pub");
    }

    [Fact]
    public async Task Signing_without_keys_is_too_few_arguments_with_usage()
    {
        var theirs = await _box.OpenSsh("-s", "ca", "-I", "x");
        var ours = await _box.Lucid("-s", "ca", "-I", "x");
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.StartsWith("Too few arguments.\r\nusage: ssh-keygen ", theirs.StdErr, StringComparison.Ordinal);
        Assert.StartsWith("Too few arguments.\r\nusage: ssh-keygen ", ours.StdErr, StringComparison.Ordinal);
        Assert.Contains("ssh-keygen -s ca_key -I certificate_identity [-h] [-n principals]", ours.StdErr);
    }

    [Theory]
    [InlineData("-l")]
    [InlineData("-lv")]
    [InlineData("-B")]
    [InlineData("-y")]
    [InlineData("-e")]
    public async Task Other_operations_read_a_certificate_file_as_openssh_does(string operation)
    {
        await Generate("ca", "ed25519", "256");
        await Generate("user", "ecdsa", "256");
        Assert.Equal(0, (await _box.Lucid("-q", "-s", "ca", "-I", "x", "user.pub")).ExitCode);
        var ours = await _box.AssertSameAsOpenSsh(operation, "-f", "user-cert.pub");
        // -y wants a private key, and says so alike; the others read the certificate.
        Assert.Equal(operation == "-y" ? 255 : 0, ours.ExitCode);
    }

    [Fact]
    public async Task A_certificate_cannot_be_certified_again()
    {
        await Generate("ca", "ed25519", "256");
        await Generate("user", "ecdsa", "256");
        Assert.Equal(0, (await _box.Lucid("-q", "-s", "ca", "-I", "x", "user.pub")).ExitCode);
        var ours = await _box.AssertSameAsOpenSsh("-s", "ca", "-I", "x", "user-cert.pub");
        Assert.Equal((255, "do_ca_sign: key \"user-cert.pub\" type ECDSA-CERT cannot be certified\r\n"), (ours.ExitCode, ours.StdErr));
    }
}
