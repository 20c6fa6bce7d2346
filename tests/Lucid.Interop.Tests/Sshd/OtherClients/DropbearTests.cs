using System.Globalization;

namespace Lucid.Interop.Tests.Sshd.OtherClients;

/// <summary>Dropbear's client, dbclient (Debian's dropbear-bin), against `lucid sshd`.</summary>
public sealed class DropbearTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private LucidSshd Server => fixture.Server;

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa256")]
    [InlineData("ecdsa384")]
    [InlineData("ecdsa521")]
    [InlineData("rsa")]
    public async Task An_OpenSSH_key_converted_by_dropbearconvert_logs_in(string keyType)
    {
        using var scratch = new Scratch();
        var key = scratch.Path("id_dropbear");
        var convert = await ProcessRunner.RunAsync("dropbearconvert", ["openssh", "dropbear", Server.ClientKeyPath(keyType), key]);
        Assert.True(convert.ExitCode == 0, convert.ToString());

        var r = await DbclientAsync(scratch, key, "echo hi; exit 3");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    [Theory]
    [InlineData("ed25519", "256")]
    [InlineData("ecdsa", "384")]
    [InlineData("rsa", "2048")]
    public async Task A_key_made_by_dropbearkey_and_added_to_authorized_keys_logs_in(string type, string bits)
    {
        using var scratch = new Scratch();
        var key = scratch.Path("id_dropbear");
        var make = await ProcessRunner.RunAsync("dropbearkey", ["-t", type, "-s", bits, "-f", key]);
        Assert.True(make.ExitCode == 0, make.ToString());
        // `dropbearkey -y` prints the public key amid other lines; the authorized_keys line is the one starting with its type.
        var show = await ProcessRunner.RunAsync("dropbearkey", ["-y", "-f", key]);
        var line = show.StdOut.Split('\n').Single(l => l.StartsWith("ssh-", StringComparison.Ordinal) || l.StartsWith("ecdsa-", StringComparison.Ordinal));
        await File.AppendAllTextAsync(Server.AuthorizedKeysPath, line + "\n");

        var r = await DbclientAsync(scratch, key, "echo hi; exit 3");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public async Task Stdin_piped_through_cat_comes_back_unchanged()
    {
        using var scratch = new Scratch();
        var key = await ConvertedKeyAsync(scratch);
        var data = scratch.RandomFile("in.bin", 1_000_000);
        var r = await DbclientAsync(scratch, key, "cat", stdinFile: data);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Scratch.Sha256(data), Scratch.Sha256(scratch.Path(StdoutFile)));
    }

    [Fact]
    public async Task Stdout_stderr_and_exit_code_stay_apart()
    {
        using var scratch = new Scratch();
        var key = await ConvertedKeyAsync(scratch);
        var r = await DbclientAsync(scratch, key, "echo out; echo err >&2; exit 42");
        Assert.Equal(42, r.ExitCode);
        Assert.Equal("out\n", r.StdOut);
        Assert.Equal("err\n", r.StdErr);
    }

    /// <summary>
    /// dbclient -K sends keepalive@openssh.com global requests wanting a reply; the session must outlive them.
    /// (dbclient -t is not tested: it needs a local terminal, which the test runner has not.)
    /// </summary>
    [Fact]
    public async Task Keepalive_requests_are_answered_and_the_session_goes_on()
    {
        using var scratch = new Scratch();
        var key = await ConvertedKeyAsync(scratch);
        var r = await DbclientAsync(scratch, key, "sleep 3; echo hi; exit 3", ["-K", "1"]);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("hi\n", r.StdOut);
        Assert.Equal("", r.StdErr);
    }

    /// <summary>
    /// Dropbear 2022.83 offers only these ciphers and MACs (`dbclient -c help`, `-m help`); its other MAC,
    /// hmac-sha1, lucid sshd refuses by default. Dropbear has no option to choose the key exchange.
    /// </summary>
    [Theory]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes128-ctr")]
    [InlineData("aes256-ctr")]
    public async Task Every_cipher_dbclient_offers_works(string cipher)
    {
        using var scratch = new Scratch();
        var key = await ConvertedKeyAsync(scratch);
        var data = scratch.RandomFile("in.bin", 300_000);
        var r = await DbclientAsync(scratch, key, "cat; exit 4", ["-c", cipher, "-m", "hmac-sha2-256"], stdinFile: data);
        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Equal(Scratch.Sha256(data), Scratch.Sha256(scratch.Path(StdoutFile)));
    }

    private async Task<string> ConvertedKeyAsync(Scratch scratch)
    {
        var key = scratch.Path("id_dropbear");
        var convert = await ProcessRunner.RunAsync("dropbearconvert", ["openssh", "dropbear", Server.ClientKeyPath(), key]);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        return key;
    }

    private const string StdoutFile = "dbclient.out";

    /// <summary>
    /// Runs dbclient with the test's own $HOME, whose ~/.ssh/known_hosts holds the server's ed25519 host key (the
    /// type dbclient asks for first), so the host key is really checked rather than skipped with -y. dbclient
    /// matches known_hosts lines on the host name alone, without the port, so the line is plain "127.0.0.1 ...".
    /// Its stdin and stdout are files (stdout: <see cref="StdoutFile"/>, also returned as StdOut), not pipes:
    /// dbclient 2022.83 now and then never exits after a session whose output filled its stdout pipe (a few runs in
    /// a hundred, just as often against OpenSSH's sshd: both ends idle, the channel never closed); with files it
    /// did not happen in hundreds of runs.
    /// </summary>
    private async Task<ProcessResult> DbclientAsync(Scratch scratch, string key, string command, string[]? options = null,
        string stdinFile = "/dev/null")
    {
        var ssh = System.IO.Directory.CreateDirectory(Path.Combine(scratch.Home, ".ssh")).FullName;
        await File.WriteAllTextAsync(Path.Combine(ssh, "known_hosts"), $"127.0.0.1 {Scratch.PublicKey(Server.HostKeyPath("ed25519") + ".pub")}\n");
        var stdout = scratch.Path(StdoutFile);
        List<string> args =
        [
            "-c", "in=$1 out=$2; shift 2; exec dbclient \"$@\" <\"$in\" >\"$out\"", "sh", stdinFile, stdout,
            .. options ?? [], "-i", key, "-p", Server.Port.ToString(CultureInfo.InvariantCulture), $"{LucidSshd.TestUser}@127.0.0.1", command,
        ];
        var r = await ProcessRunner.RunAsync("/bin/sh", args, environment: scratch.HomeEnvironment);
        return r with { StdOut = await File.ReadAllTextAsync(stdout) };
    }
}
