using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lucid.Interop.Tests.Sshd.OtherClients;

/// <summary>PuTTY's command-line tools (Debian's putty-tools): plink, pscp and psftp against `lucid sshd`.</summary>
public sealed class PuttyTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private LucidSshd Server => fixture.Server;

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa256")]
    [InlineData("ecdsa384")]
    [InlineData("ecdsa521")]
    [InlineData("rsa")]
    public async Task Plink_logs_in_with_a_key_converted_by_puttygen(string keyType)
    {
        using var scratch = new Scratch();
        var key = await PpkAsync(scratch, keyType);
        var r = await PlinkAsync(scratch, key, "echo hi; exit 3");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public async Task Plink_keeps_stdout_stderr_and_exit_code_apart()
    {
        using var scratch = new Scratch();
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "echo out; echo err >&2; exit 42");
        Assert.Equal(42, r.ExitCode);
        Assert.Equal("out\n", r.StdOut);
        Assert.Equal("err\n", r.StdErr);
    }

    /// <summary>
    /// PuTTY requires the exec request's SUCCESS before the channel closes ("Server refused to start a
    /// shell/command" otherwise). sshd once started the program before queueing that reply, and under the load
    /// of a full test run a command as quick as `exit 3` got its exit-status and CLOSE out first. sshd now starts
    /// the program only after the reply is queued, so the order holds by construction; this test repeats the
    /// case to give a regression its chance to show, but it is a race: on a quiet machine the old code passed
    /// 120 tries of it.
    /// </summary>
    [Fact]
    public async Task A_command_that_ends_at_once_is_still_acknowledged_before_the_channel_closes()
    {
        using var scratch = new Scratch();
        var key = await PpkAsync(scratch);
        for (var batch = 0; batch < 8; batch++)
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PlinkAsync(scratch, key, "exit 3")));
            foreach (var r in runs)
                Assert.True(r.ExitCode == 3, r.ToString());
        }
    }

    /// <summary>
    /// After the refused key PuTTY would try keyboard-interactive (the server runs as root, so PAM offers it), which
    /// -batch forbids.
    /// </summary>
    [Fact]
    public async Task Plink_with_a_key_not_in_authorized_keys_is_refused()
    {
        using var scratch = new Scratch();
        var stranger = scratch.Path("stranger");
        var make = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
        Assert.True(make.ExitCode == 0, make.ToString());
        var ppk = stranger + ".ppk";
        var convert = await ProcessRunner.RunAsync("puttygen", [stranger, "-O", "private", "-o", ppk]);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        var r = await PlinkAsync(scratch, ppk, "echo hi");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.StdOut);
        Assert.StartsWith("Server refused our key\r\n", r.StdErr);
        Assert.EndsWith("FATAL ERROR: Cannot answer interactive prompts in batch mode\n", r.StdErr);
    }

    [Fact]
    public async Task Stdin_piped_through_cat_comes_back_unchanged()
    {
        using var scratch = new Scratch();
        var data = RandomNumberGenerator.GetHexString(1_000_000);
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "cat", stdin: data);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Sha256(data), Sha256(r.StdOut));
    }

    [Fact]
    public async Task Plink_t_gets_a_terminal()
    {
        using var scratch = new Scratch();
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "tty; echo $TERM; exit 2", ["-t"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Matches(@"^/dev/pts/\d+\r\nxterm\r\n$", r.StdOut);
    }

    /// <summary>Many windows' worth of output: PuTTY measures the window with its winadj@putty.projects.tartarus.org requests.</summary>
    [Fact]
    public async Task A_large_output_arrives_whole()
    {
        using var scratch = new Scratch();
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "head -c 20000000 /dev/zero | tr '\\0' x; exit 1");
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}\n{r.StdErr}");
        Assert.Equal(20_000_000, r.StdOut.Length);
        Assert.Equal(new string('x', 20_000_000), r.StdOut);
    }

    private const string AllKex = "ntru-curve25519,ecdh,dh-gex-sha1,dh-group14-sha1,dh-group16-sha512,dh-group18-sha512,rsa,dh-group1-sha1";
    private const string AllCiphers = "aesgcm,aes,chacha20,3des,blowfish,des,arcfour";

    /// <summary>
    /// PuTTY chooses algorithms only through saved settings (~/.putty/sessions/NAME, loaded with -load), as ordered
    /// lists with a WARN mark. Settings the file leaves out are put back before WARN, so each list names every
    /// choice: the one under test, then WARN, then the rest; with -batch, agreeing on anything below WARN fails.
    /// PuTTY's "ecdh" covers Curve25519 and the NIST curves together, preferring Curve25519; its "rsa" key
    /// exchange (RFC 4432) lucid sshd does not offer. The second value is what `plink -v` then reports.
    /// </summary>
    [Theory]
    [InlineData("KEX", "ntru-curve25519", "NTRU Prime / Curve25519 hybrid key exchange")]
    [InlineData("KEX", "ecdh", "ECDH key exchange with curve Curve25519")]
    [InlineData("KEX", "dh-gex-sha1", "hash SHA-256 (SHA-NI accelerated) with a server-supplied group")]
    [InlineData("KEX", "dh-group14-sha1", "2048-bit modulus and hash SHA-256")]
    [InlineData("KEX", "dh-group16-sha512", "with standard group \"group16\"")]
    [InlineData("KEX", "dh-group18-sha512", "with standard group \"group18\"")]
    [InlineData("Cipher", "aes", "Initialised AES-256 SDCTR")]
    [InlineData("Cipher", "aesgcm", " GCM ")]
    [InlineData("Cipher", "chacha20", "Initialised ChaCha20 outbound encryption")]
    public async Task Every_algorithm_plink_shares_with_lucid_works(string setting, string choice, string reported)
    {
        using var scratch = new Scratch();
        var all = setting == "KEX" ? AllKex : AllCiphers;
        var rest = string.Join(',', all.Split(',').Where(a => a != choice));
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "echo hi; exit 3", ["-v"], settings: $"{setting}={choice},WARN,{rest}\nCompression=1\n");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Contains(reported, r.StdErr);
        Assert.Contains("Initialised delayed zlib (RFC1950) compression", r.StdErr);
    }

    /// <summary>PuTTY 0.78 prefers sntrup761x25519-sha512@openssh.com, which lucid sshd offers by default.</summary>
    [Fact]
    public async Task Plink_negotiates_the_post_quantum_NTRU_hybrid_by_default()
    {
        using var scratch = new Scratch();
        var r = await PlinkAsync(scratch, await PpkAsync(scratch), "echo hi; exit 3", ["-v"]);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Contains("NTRU Prime / Curve25519 hybrid key exchange", r.StdErr);
    }

    /// <summary>-hostkey names only the key of the type asked for, so exit code 3 means PuTTY checked that very key.</summary>
    [Theory]
    [InlineData("ed25519", "ed25519", "ssh-ed25519 255")]
    [InlineData("ecdsa", "ecdsa256", "ecdsa-sha2-nistp256 256")]
    [InlineData("rsa", "rsa", "ssh-rsa 3072")]
    public async Task Every_host_key_type_plink_knows_is_verified(string choice, string keyType, string reported)
    {
        using var scratch = new Scratch();
        var rest = string.Join(',', "ed25519,ed448,ecdsa,rsa,dsa".Split(',').Where(a => a != choice));
        var fingerprint = Scratch.Fingerprint(Server.HostKeyPath(keyType) + ".pub");
        var r = await PlinkAsync(scratch, await PpkAsync(scratch, "rsa"), "echo hi; exit 3", ["-v"], $"HostKey={choice},WARN,{rest}\n", keyType);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Contains($"Host key fingerprint is:\n{reported} {fingerprint}\n", r.StdErr);
    }

    /// <summary>pscp speaks SFTP (the sftp subsystem) or the old scp protocol (`scp -t`/`-f` run as a command).</summary>
    [Theory]
    [InlineData("-sftp")]
    [InlineData("-scp")]
    public async Task Pscp_copies_a_file_there_and_back(string protocol)
    {
        using var scratch = new Scratch();
        var key = await PpkAsync(scratch);
        var local = scratch.RandomFile("local.bin", 1_500_000);
        var remote = scratch.Path("remote.bin");
        var back = scratch.Path("back.bin");
        var up = await PuttyToolAsync("pscp", scratch, [protocol, "-q", .. Common(key), local, $"{LucidSshd.TestUser}@127.0.0.1:{remote}"]);
        Assert.True(up.ExitCode == 0, up.ToString());
        var down = await PuttyToolAsync("pscp", scratch, [protocol, "-q", .. Common(key), $"{LucidSshd.TestUser}@127.0.0.1:{remote}", back]);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal(Scratch.Sha256(local), Scratch.Sha256(remote));
        Assert.Equal(Scratch.Sha256(local), Scratch.Sha256(back));
    }

    [Fact]
    public async Task Psftp_batch_puts_gets_and_removes_a_file()
    {
        using var scratch = new Scratch();
        var key = await PpkAsync(scratch);
        var local = scratch.RandomFile("local.bin", 1_500_000);
        var remote = scratch.Path("remote.bin");
        var back = scratch.Path("back.bin");
        var batch = scratch.Path("batch");
        await File.WriteAllTextAsync(batch, $"put {local} {remote}\nget {remote} {back}\nrm {remote}\n");
        var r = await PuttyToolAsync("psftp", scratch, [.. Common(key), "-b", batch, "-bc", $"{LucidSshd.TestUser}@127.0.0.1"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Scratch.Sha256(local), Scratch.Sha256(back));
        Assert.False(File.Exists(remote));
    }

    private async Task<string> PpkAsync(Scratch scratch, string keyType = "ed25519")
    {
        var ppk = scratch.Path($"id_{keyType}.ppk");
        var convert = await ProcessRunner.RunAsync("puttygen", [Server.ClientKeyPath(keyType), "-O", "private", "-o", ppk]);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        return ppk;
    }

    /// <summary>Batch mode (never a prompt), the server's port, the key, and the expected host key's fingerprint.</summary>
    private string[] Common(string key, string hostKeyType = "ed25519") =>
    [
        "-batch", "-P", Server.Port.ToString(CultureInfo.InvariantCulture), "-i", key,
        "-hostkey", Scratch.Fingerprint(Server.HostKeyPath(hostKeyType) + ".pub"),
    ];

    private Task<ProcessResult> PlinkAsync(Scratch scratch, string key, string command, string[]? options = null, string? settings = null,
        string hostKeyType = "ed25519", string? stdin = null)
    {
        List<string> args = [.. options ?? [], "-ssh", .. Common(key, hostKeyType)];
        if (settings is not null)
        {
            var sessions = System.IO.Directory.CreateDirectory(Path.Combine(scratch.Home, ".putty", "sessions")).FullName;
            File.WriteAllText(Path.Combine(sessions, "lucid"), settings);
            args.AddRange(["-load", "lucid"]);
        }
        args.AddRange([$"{LucidSshd.TestUser}@127.0.0.1", command]);
        return PuttyToolAsync("plink", scratch, args, stdin);
    }

    /// <summary>With $HOME the test's own, PuTTY neither reads nor writes root's ~/.putty (saved sessions, host keys).</summary>
    private static Task<ProcessResult> PuttyToolAsync(string tool, Scratch scratch, IEnumerable<string> args, string? stdin = null) =>
        ProcessRunner.RunAsync(tool, args, stdin, scratch.HomeEnvironment);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
