using Lucid.Interop.Tests.Fixtures;
using Lucid.Interop.Tests.Sshd;
using Lucid.Interop.Tests.Sshd.OtherClients;

namespace Lucid.Interop.Tests.PostQuantum;

/// <summary>
/// The hybrid post-quantum key exchanges against OpenSSH 10.5p1 both ways ($LUCID_OPENSSH105, built by ./test.sh) and
/// against Debian's OpenSSH 9.2: what each side negotiates with its defaults, every method when forced, and
/// OpenSSH 10's "not using a post-quantum key exchange" warning.
/// </summary>
public sealed class PostQuantumKexTests(PostQuantumPeers peers) : IClassFixture<PostQuantumPeers>
{
    public static TheoryData<string> Methods() =>
        ["mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "mlkem768nistp256-sha256"];

    private static OpenSshPeer OpenSsh105 => OpenSshPeer.OpenSsh105;

    /// <summary>OpenSSH 10.5's ssh against lucid sshd at the default log level (where the warning would show), plus -v.</summary>
    private static Task<ProcessResult> OpenSsh105ToLucidAsync(LucidSshd server, params string[] options) =>
        ProcessRunner.RunAsync(OpenSsh105.SshPath,
        [
            "-v", .. options, "-F", "/dev/null", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-i", server.ClientKeyPath(), "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-l", LucidSshd.TestUser, "127.0.0.1", "echo ok",
        ], timeout: TimeSpan.FromSeconds(60));

    /// <summary>An ssh client (`lucid ssh` or an OpenSSH build's) against an OpenSSH sshd with its known_hosts and a key.</summary>
    private static Task<ProcessResult> SshToOpenSshAsync(string program, string[] prefix, OpenSshServer server, params string[] options) =>
        ProcessRunner.RunAsync(program, [.. prefix, "-v", .. options, .. server.SshArguments(), "echo ok"], timeout: TimeSpan.FromSeconds(60));

    private static string[] WarningLines(string stderr) =>
        [.. stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("** ", StringComparison.Ordinal))];

    [Fact]
    public async Task OpenSsh105_negotiates_mlkem768x25519_with_lucid_sshd_by_default_and_does_not_warn()
    {
        var r = await OpenSsh105ToLucidAsync(peers.Lucid);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        Assert.Equal("mlkem768x25519-sha256", Negotiated(r));
        Assert.DoesNotContain("post-quantum", r.StdErr);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task OpenSsh105_completes_each_method_with_lucid_sshd(string method)
    {
        var r = await OpenSsh105ToLucidAsync(peers.Lucid, "-o", $"KexAlgorithms={method}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        Assert.Equal(method, Negotiated(r));
    }

    [Fact]
    public async Task Lucid_ssh_negotiates_mlkem768x25519_with_OpenSsh105_sshd_by_default_and_does_not_warn()
    {
        var server = peers.OpenSsh;
        var r = await SshToOpenSshAsync(Lucid.Executable, ["ssh"], server);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        Assert.Equal("mlkem768x25519-sha256", Negotiated(r));
        Assert.DoesNotContain("post-quantum", r.StdErr);
        await server.WaitForLogAsync("kex: algorithm: mlkem768x25519-sha256");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Lucid_ssh_completes_each_method_with_OpenSsh105_sshd(string method)
    {
        var server = peers.OpenSsh;
        var r = await SshToOpenSshAsync(Lucid.Executable, ["ssh"], server, "-o", $"KexAlgorithms={method}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        Assert.Equal(method, Negotiated(r));
        await server.WaitForLogAsync($"kex: algorithm: {method}");
    }

    /// <summary>
    /// A server without a post-quantum method: `lucid ssh` warns in OpenSSH 10.5's exact words, and keeps quiet where it
    /// does (WarnWeakCrypto no or no-pq-kex, or a KexAlgorithms the user set).
    /// </summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("-o WarnWeakCrypto=no-pq-kex", false)]
    [InlineData("-o WarnWeakCrypto=no", false)]
    [InlineData("-o KexAlgorithms=+diffie-hellman-group14-sha256", false)]
    public async Task Lucid_ssh_warns_about_a_classical_key_exchange_as_OpenSsh105_does(string optionText, bool warns)
    {
        var options = optionText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var server = peers.Classical;
        var theirs = await SshToOpenSshAsync(OpenSsh105.SshPath, [], server, options);
        var ours = await SshToOpenSshAsync(Lucid.Executable, ["ssh"], server, options);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal("curve25519-sha256", Negotiated(ours));
        Assert.Equal(warns ? 3 : 0, WarningLines(theirs.StdErr).Length);
        Assert.Equal(WarningLines(theirs.StdErr), WarningLines(ours.StdErr));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-o WarnWeakCrypto=no-pq-kex")]
    [InlineData("-o WarnWeakCrypto=no")]
    [InlineData("-o WarnWeakCrypto=true")]
    public async Task Ssh_G_prints_the_KEX_defaults_and_WarnWeakCrypto_as_OpenSsh105(string optionText)
    {
        var options = optionText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var theirs = await ProcessRunner.RunAsync(OpenSsh105.SshPath, ["-G", "-F", "/dev/null", .. options, "h"]);
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-G", "-F", "/dev/null", .. options, "h"]);
        Assert.True(theirs.ExitCode == 0 && ours.ExitCode == 0, $"{theirs}\n{ours}");
        foreach (var keyword in new[] { "kexalgorithms ", "warnweakcrypto " })
            Assert.Equal(Line(theirs.StdOut, keyword), Line(ours.StdOut, keyword));

        // `ssh -Q kex` and -G agree: every default method is one Lucid lists as implemented.
        var implemented = (await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-Q", "kex"])).StdOut.Split('\n');
        Assert.All(Line(ours.StdOut, "kexalgorithms ").Split(','), name => Assert.Contains(name, implemented));
        Assert.Contains("mlkem768nistp256-sha256", implemented);
    }

    [Fact]
    public async Task Sshd_T_prints_OpenSsh105s_server_KEX_defaults_but_NIST_ECDH()
    {
        using var scratch = new Scratch();
        var hostKey = scratch.Path("host_ed25519");
        Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])).ExitCode);
        // The same file, but OpenSSH 10.5's also names its session and auth helpers.
        var config = scratch.Path("sshd_config");
        var theirsConfig = scratch.Path("sshd_config.105");
        await File.WriteAllLinesAsync(config, [$"HostKey {hostKey}"]);
        await File.WriteAllLinesAsync(theirsConfig, [$"HostKey {hostKey}", .. OpenSsh105.SshdConfig]);
        var theirs = await ProcessRunner.RunAsync(OpenSsh105.SshdPath, ["-T", "-f", theirsConfig]);
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["sshd", "-T", "-f", config]);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        // Lucid's one documented deviation: sshd leaves ECDH on the NIST curves out of its defaults (README, sshd).
        var expected = string.Join(',', Line(theirs.StdOut, "kexalgorithms ").Split(',').Where(n => !n.StartsWith("ecdh-sha2-nistp", StringComparison.Ordinal)));
        Assert.Equal(expected, Line(ours.StdOut, "kexalgorithms "));
        Assert.StartsWith("mlkem768x25519-sha256,", Line(ours.StdOut, "kexalgorithms "));
    }

    [Fact]
    public async Task Debian_OpenSsh92_negotiates_sntrup761_with_lucid_sshd()
    {
        var r = await peers.Lucid.SshAsync("echo ok", options: ["-v"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        // Debian's 9.2 knows both names (deb12 backports the unsuffixed one) and prefers the unsuffixed.
        Assert.StartsWith("sntrup761x25519-sha512", Negotiated(r));
    }

    /// <summary>The method a client's -v output says was negotiated.</summary>
    private static string Negotiated(ProcessResult r) =>
        System.Text.RegularExpressions.Regex.Match(r.StdErr, @"debug1: kex: algorithm: (\S+)") is { Success: true } m ? m.Groups[1].Value : "(none) " + r;

    // OpenSSH 10.5's sshd -T prints keywords capitalised (KexAlgorithms), Lucid's lowercase as 9.2's did; -G is lowercase in both.
    private static string Line(string output, string keyword) =>
        output.Split('\n').SingleOrDefault(l => l.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))?[keyword.Length..]
        ?? $"(no {keyword.Trim()} line)";
}

/// <summary>
/// The servers PostQuantumKexTests share, started together: lucid sshd with its defaults plus mlkem768nistp256-sha256
/// (implemented but, as in OpenSSH 10.5, not offered unless configured; listed last, so what clients pick with their
/// defaults is unchanged), OpenSSH 10.5's sshd offering everything, and OpenSSH 10.5's sshd with only curve25519-sha256.
/// </summary>
public sealed class PostQuantumPeers : IAsyncLifetime
{
    public LucidSshd Lucid { get; private set; } = null!;
    public OpenSshServer OpenSsh { get; private set; } = null!;
    public OpenSshServer Classical { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var lucid = LucidSshd.StartAsync("KexAlgorithms +mlkem768nistp256-sha256");
        var openSsh = OpenSshServer.StartAsync(OpenSshPeer.OpenSsh105);
        var classical = OpenSshServer.StartAsync(OpenSshPeer.OpenSsh105, "KexAlgorithms curve25519-sha256");
        (Lucid, OpenSsh, Classical) = (await lucid, await openSsh, await classical);
    }

    public async Task DisposeAsync()
    {
        await Lucid.DisposeAsync();
        await OpenSsh.DisposeAsync();
        await Classical.DisposeAsync();
    }
}
