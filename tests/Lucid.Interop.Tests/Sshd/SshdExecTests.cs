using System.Security.Cryptography;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>OpenSSH's ssh, sftp and scp against `lucid sshd`: commands, exit codes, data, algorithms.</summary>
public sealed class SshdExecTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private LucidSshd Server => fixture.Server;

    [Fact]
    public async Task Exec_returns_stdout_stderr_and_the_exit_code()
    {
        var r = await Server.SshAsync("echo out; echo err >&2; exit 7");
        Assert.Equal("out\n", r.StdOut);
        Assert.Equal("err\n", r.StdErr);
        Assert.Equal(7, r.ExitCode);
        var log = await Server.WaitForLogAsync($"Disconnected from user {LucidSshd.TestUser} 127.0.0.1 port ");
        Assert.Matches(@"Accepted publickey for lucidsshdtest from 127\.0\.0\.1 port \d+ ssh2: ED25519 SHA256:[A-Za-z0-9+/]{43}\n", log);
    }

    [Fact]
    public async Task Stdin_reaches_the_command_and_its_eof_ends_it()
    {
        var data = RandomNumberGenerator.GetHexString(200_000);
        var r = await Server.SshAsync("sha256sum", stdin: data);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(data))) + "  -\n", r.StdOut);
    }

    [Fact]
    public async Task Output_written_just_before_exit_is_not_lost()
    {
        var r = await Server.SshAsync("head -c 3000000 /dev/zero | tr '\\0' x; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(3_000_000, r.StdOut.Length);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_is_reported_as_such()
    {
        var r = await Server.SshAsync("kill -TERM $$", options: ["-v"]);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("rtype exit-signal", r.StdErr);
    }

    [Fact]
    public async Task The_session_environment_is_sshds()
    {
        var r = await Server.SshAsync("echo \"$USER|$LOGNAME|$HOME|$SHELL|$MAIL|${SSH_CONNECTION%% *}|${SSH_CLIENT##* }|${SSH_TTY:-none}\"");
        Assert.Equal(0, r.ExitCode);
        const string u = LucidSshd.TestUser;
        Assert.Equal($"{u}|{u}|/home/{u}|/bin/bash|/var/mail/{u}|127.0.0.1|{Server.Port}|none\n", r.StdOut);
    }

    [Fact]
    public async Task A_login_shell_gets_a_dash_argv0_and_starts_in_home()
    {
        var r = await Server.SshAsync("", options: ["-T"], stdin: "echo $0; pwd\n");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"-bash\n/home/{LucidSshd.TestUser}\n", r.StdOut);
    }

    public static TheoryData<string, string> Algorithms()
    {
        var data = new TheoryData<string, string>();
        foreach (var kex in new[] { "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                     "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
                     "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256" })
            data.Add("KexAlgorithms", kex);
        foreach (var hostKey in new[] { "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256" })
            data.Add("HostKeyAlgorithms", hostKey);
        foreach (var cipher in new[] { "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr" })
            data.Add("Ciphers", cipher);
        foreach (var mac in new[] { "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
                     "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512" })
            data.Add("MACs", mac);
        return data;
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Every_algorithm_works_with_OpenSSH(string option, string algorithm)
    {
        string[] options = option == "MACs"
            ? ["-o", "Ciphers=aes128-ctr", "-o", $"MACs={algorithm}"]
            : ["-o", $"{option}={algorithm}"];
        var r = await Server.SshAsync("echo ok; exit 5", options: [.. options, "-v"]);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
        Assert.Contains(algorithm, r.StdErr);
    }

    [Theory]
    [InlineData("ecdsa256")]
    [InlineData("ecdsa384")]
    [InlineData("ecdsa521")]
    [InlineData("rsa")]
    public async Task Every_client_key_type_authenticates(string keyType)
    {
        var r = await Server.SshAsync("echo $USER", keyType: keyType);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(LucidSshd.TestUser + "\n", r.StdOut);
    }

    [Fact]
    public async Task Sftp_batch_mode_moves_files_through_sftp_server()
    {
        var dir = SharedDirectory("lucid-sftp-");
        try
        {
            var local = Path.Combine(dir, "local.bin");
            var remote = Path.Combine(dir, "remote.bin");
            var back = Path.Combine(dir, "back.bin");
            File.WriteAllBytes(local, RandomNumberGenerator.GetBytes(1_500_000));
            File.WriteAllText(Path.Combine(dir, "batch"), $"put {local} {remote}\nget {remote} {back}\nrm {remote}\n");
            var r = await ProcessRunner.RunAsync("sftp",
                ["-F", "/dev/null", "-P", Server.Port.ToString(), "-i", Server.ClientKeyPath(), "-o", "UserKnownHostsFile=/dev/null",
                 "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR", "-b", Path.Combine(dir, "batch"), $"{LucidSshd.TestUser}@127.0.0.1"]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(back)));
            Assert.False(File.Exists(remote));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Scp_copies_both_ways()
    {
        var dir = SharedDirectory("lucid-scp-");
        try
        {
            var local = Path.Combine(dir, "a.bin");
            File.WriteAllBytes(local, RandomNumberGenerator.GetBytes(700_000));
            string[] common = ["-F", "/dev/null", "-P", Server.Port.ToString(), "-i", Server.ClientKeyPath(), "-o", "UserKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes"];
            var up = await ProcessRunner.RunAsync("scp", [.. common, local, $"{LucidSshd.TestUser}@127.0.0.1:{dir}/b.bin"]);
            Assert.True(up.ExitCode == 0, up.ToString());
            var down = await ProcessRunner.RunAsync("scp", [.. common, $"{LucidSshd.TestUser}@127.0.0.1:{dir}/b.bin", Path.Combine(dir, "c.bin")]);
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "c.bin"))));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>A directory the session user (not root) may write to.</summary>
    private static string SharedDirectory(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        return dir;
    }

    [Fact]
    public async Task Files_written_by_a_session_belong_to_the_user()
    {
        var dir = SharedDirectory("lucid-owner-");
        try
        {
            var r = await Server.SshAsync($"touch {dir}/f && stat -c %U:%G {dir}/f && id -un && id -Gn");
            Assert.True(r.ExitCode == 0, r.ToString());
            const string u = LucidSshd.TestUser;
            Assert.Equal($"{u}:{u}\n{u}\n{u}\n", r.StdOut);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task An_unknown_subsystem_is_refused()
    {
        var r = await Server.SshAsync("nonesuch", options: ["-s"]);
        Assert.Equal(255, r.ExitCode);
        await Server.WaitForLogAsync($"subsystem request for nonesuch by user {LucidSshd.TestUser} failed, subsystem not found");
    }
}
