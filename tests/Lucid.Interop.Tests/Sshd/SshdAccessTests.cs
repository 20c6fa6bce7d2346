using System.Security.Cryptography;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>Who may log in and how: Banner, AuthenticationMethods chains, DenyUsers, Match, StrictModes, rekeying under load.</summary>
public sealed class SshdAccessTests
{
    private const string User = LucidSshd.TestUser;

    private static async Task<ProcessResult> WithPasswordAsync(LucidSshd server, string password, string command, params string[] options)
    {
        var askpass = Path.Combine(server.Directory, "askpass");
        await File.WriteAllTextAsync(askpass, $"#!/bin/sh\necho '{password}'\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(askpass, (UnixFileMode)0b111_000_000);
        var args = new List<string>(options);
        args.AddRange(server.SshArguments());
        args.Add(command);
        var env = new Dictionary<string, string> { ["SSH_ASKPASS"] = askpass, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
        // ssh keeps the first value of an option, so BatchMode=no in front overrides the fixture's yes.
        return await ProcessRunner.RunAsync("setsid", ["-w", "ssh", "-o", "BatchMode=no", .. args], environment: env);
    }

    private static async Task SetPasswordAsync(string password)
    {
        var r = await ProcessRunner.RunAsync("chpasswd", [], stdin: $"{User}:{password}\n");
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task The_banner_is_shown_before_authentication()
    {
        await using var server = await LucidSshd.StartAsync($"Banner {Path.GetTempPath()}lucid-banner-{Environment.ProcessId}");
        await File.WriteAllTextAsync($"{Path.GetTempPath()}lucid-banner-{Environment.ProcessId}", "Authorized use only.\n");
        try
        {
            var r = await server.SshAsync("true", options: ["-o", "LogLevel=INFO"]);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Authorized use only.\n", r.StdErr);
        }
        finally
        {
            File.Delete($"{Path.GetTempPath()}lucid-banner-{Environment.ProcessId}");
        }
    }

    [Fact]
    public async Task AuthenticationMethods_publickey_then_password_needs_both()
    {
        await SetPasswordAsync("Both-Factors-1");
        await using var server = await LucidSshd.StartAsync("AuthenticationMethods publickey,password", "PasswordAuthentication yes");
        var keyOnly = await server.SshAsync("true");
        Assert.Equal(255, keyOnly.ExitCode);
        Assert.Contains($"{User}@127.0.0.1: Permission denied (password).", keyOnly.StdErr);

        var both = await WithPasswordAsync(server, "Both-Factors-1", "echo both");
        Assert.True(both.ExitCode == 0, both + "\n--- log\n" + server.Log);
        Assert.Equal("both\n", both.StdOut);
        var log = await server.WaitForLogAsync($"Accepted password for {User} from 127.0.0.1 port ");
        Assert.Contains($"Partial publickey for {User} from 127.0.0.1 port ", log);
    }

    [Fact]
    public async Task DenyUsers_refuses_and_logs_why()
    {
        await using var server = await LucidSshd.StartAsync($"DenyUsers {User}@127.0.0.1");
        var r = await server.SshAsync("true");
        Assert.Equal(255, r.ExitCode);
        await server.WaitForLogAsync($"User {User} from 127.0.0.1 not allowed because listed in DenyUsers");
    }

    [Fact]
    public async Task A_Match_block_applies_to_its_user()
    {
        await using var server = await LucidSshd.StartAsync($"Match User {User}", "  ForceCommand echo matched", "Match User nobody", "  ForceCommand echo other");
        var r = await server.SshAsync("echo not-forced");
        Assert.Equal("matched\n", r.StdOut);
    }

    [Fact]
    public async Task StrictModes_refuses_a_group_writable_key_directory()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-strict-e2e-").FullName;
        try
        {
            var keys = Path.Combine(dir, "keys");
            Directory.CreateDirectory(keys);
            await using var server = await LucidSshd.StartAsync("StrictModes yes", $"AuthorizedKeysFile {keys}/%u");
            File.Copy(server.ClientKeyPath() + ".pub", Path.Combine(keys, User));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
                File.SetUnixFileMode(keys, (UnixFileMode)0b111_111_101);
                File.SetUnixFileMode(Path.Combine(keys, User), (UnixFileMode)0b110_100_100);
            }
            // The key file is fine; the directory holding it is group-writable, which StrictModes refuses.
            var refused = await server.SshAsync("true");
            Assert.Equal(255, refused.ExitCode);
            await server.WaitForLogAsync("Authentication refused: bad ownership or modes for directory ");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("group-writable")]
    [InlineData("owned-by-nobody")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StrictModes_refuses_a_key_file_others_could_change(string problem)
    {
        // Under the user's home: StrictModes checks every directory up to it, and /tmp (world-writable) would fail.
        var dir = Directory.CreateDirectory($"/home/{User}/lucid-strict-{problem}-{Guid.NewGuid():N}").FullName;
        try
        {
            await using var server = await LucidSshd.StartAsync("StrictModes yes", $"AuthorizedKeysFile {dir}/%u");
            var file = Path.Combine(dir, User);
            File.Copy(server.ClientKeyPath() + ".pub", file);
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
            Assert.Equal("in\n", (await server.SshAsync("echo in")).StdOut);

            if (problem == "group-writable")
                File.SetUnixFileMode(file, (UnixFileMode)0b110_110_100);
            else
                Assert.Equal(0, (await ProcessRunner.RunAsync("chown", ["nobody", file])).ExitCode);
            var refused = await server.SshAsync("true");
            Assert.Equal(255, refused.ExitCode);
            await server.WaitForLogAsync($"Authentication refused: bad ownership or modes for file {file}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task ClientAlive_keeps_a_quiet_session_and_drops_a_client_that_stopped_answering()
    {
        await using var server = await LucidSshd.StartAsync("ClientAliveInterval 1", "ClientAliveCountMax 2");
        var quiet = await server.SshAsync("sleep 3; echo still-here");
        Assert.Equal("still-here\n", quiet.StdOut);

        var info = new System.Diagnostics.ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in server.SshArguments())
            info.ArgumentList.Add(a);
        info.ArgumentList.Add("sleep 60");
        // The quiet session above logged an "Accepted" line already; wait for this connection's own.
        var logged = server.Log.Length;
        using var ssh = System.Diagnostics.Process.Start(info)!;
        await server.WaitForLogAsync($"Accepted publickey for {User}", since: logged);
        await Task.Delay(500);
        // A frozen client answers nothing; the server gives up after CountMax unanswered keepalives.
        await ProcessRunner.RunAsync("kill", ["-STOP", ssh.Id.ToString()]);
        try
        {
            await server.WaitForLogAsync($"Timeout, client not responding from user {User} 127.0.0.1 port ", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await ProcessRunner.RunAsync("kill", ["-CONT", ssh.Id.ToString()]);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await ssh.WaitForExitAsync(cts.Token);
        Assert.Equal(255, ssh.ExitCode);
    }

    [Fact]
    public async Task Data_survives_forced_rekeys_in_both_directions()
    {
        await using var server = await LucidSshd.StartAsync("RekeyLimit 1M");
        var upload = RandomNumberGenerator.GetHexString(16 * 1024 * 1024);
        var up = await server.SshAsync("sha256sum", stdin: upload);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(upload))) + "  -\n", up.StdOut);

        var down = await server.SshAsync("head -c 16777216 /dev/zero | tr '\\0' 'z'");
        Assert.Equal(0, down.ExitCode);
        Assert.Equal(16 * 1024 * 1024, down.StdOut.Length);
        Assert.True(down.StdOut.All(c => c == 'z'));
    }
}
