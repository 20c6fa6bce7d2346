namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Private key files others can read are refused, with OpenSSH's "UNPROTECTED PRIVATE KEY FILE!" block: a host
/// key at 0644 (sshd: "no hostkeys available -- exiting." when none is left), and ssh's identity at 0644, given
/// with -i or found as the default ~/.ssh/id_ed25519. Lucid's output is compared with OpenSSH's own.
/// </summary>
public sealed class KeyFileModeTests
{
    private static readonly string[] Block =
    [
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
        "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @",
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
    ];

    private static void Chmod(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    private static string Warning(string path) => string.Join('\n', Block) +
        $"\nPermissions 0644 for '{path}' are too open.\nIt is required that your private key files are NOT accessible by others.\nThis private key will be ignored.\n";

    [Fact]
    public async Task Host_key_readable_by_others_is_refused_as_by_OpenSSH()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-hostkey-mode-").FullName;
        try
        {
            var key = Path.Combine(dir, "ssh_host_ed25519_key");
            Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])).ExitCode);
            Chmod(key, (UnixFileMode)0b110_100_100);
            var config = Path.Combine(dir, "sshd_config");
            await File.WriteAllTextAsync(config, $"HostKey {key}\nListenAddress 127.0.0.1\nPort 2\n");

            var expected = Warning(key) + $"Unable to load host key \"{key}\": bad permissions\nUnable to load host key: {key}\nsshd: no hostkeys available -- exiting.\n";
            var openssh = await ProcessRunner.RunAsync("/usr/sbin/sshd", ["-t", "-f", config]);
            // OpenSSH ends stderr log lines with CRLF (it may share a raw terminal); Lucid writes plain lines.
            Assert.Equal((1, expected), (openssh.ExitCode, openssh.StdErr.Replace("\r\n", "\n")));
            var lucid = await Lucid.RunAsync("sshd", "-t", "-f", config);
            Assert.Equal((1, expected), (lucid.ExitCode, lucid.StdErr));

            // Another key at 0600 is still served.
            var good = Path.Combine(dir, "ssh_host_ecdsa_key");
            Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-f", good])).ExitCode);
            await File.AppendAllTextAsync(config, $"HostKey {good}\n");
            var partly = await Lucid.RunAsync("sshd", "-t", "-f", config);
            Assert.Equal((0, Warning(key) + $"Unable to load host key \"{key}\": bad permissions\nUnable to load host key: {key}\n"),
                (partly.ExitCode, partly.StdErr));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Identity_readable_by_others_is_refused_with_i_and_as_the_default_key()
    {
        await using var server = await LucidSshd.StartAsync();
        var home = Directory.CreateTempSubdirectory("lucid-idmode-").FullName;
        try
        {
            var ssh = Path.Combine(home, ".ssh");
            Directory.CreateDirectory(ssh);
            var key = Path.Combine(ssh, "id_ed25519");
            File.Copy(server.ClientKeyPath("ed25519"), key);
            File.Copy(server.ClientKeyPath("ed25519") + ".pub", key + ".pub");
            Chmod(key, (UnixFileMode)0b110_100_100);
            var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string[] common = ["-F", "/dev/null", "-p", port, "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-l", LucidSshd.TestUser];
            var openssh = await ProcessRunner.RunAsync("ssh", [.. common, "-i", key, "-o", "IdentitiesOnly=yes", "127.0.0.1", "echo in"]);
            // Both end stderr lines with CRLF (ssh may share a raw terminal).
            var expected = openssh.StdErr.Replace("\r\n", "\n");
            Assert.Equal(255, openssh.ExitCode);
            Assert.StartsWith(Warning(key) + $"Load key \"{key}\": bad permissions\n{LucidSshd.TestUser}@127.0.0.1: Permission denied (publickey", expected);

            var explicitKey = await Lucid.RunAsync(["ssh", .. common, "-i", key, "-o", "IdentitiesOnly=yes", "127.0.0.1", "echo in"]);
            Assert.Equal((255, "", expected), (explicitKey.ExitCode, explicitKey.StdOut, explicitKey.StdErr.Replace("\r\n", "\n")));

            // The default identity: ~/.ssh/id_ed25519 with HOME pointing at the test's home.
            var env = new Dictionary<string, string> { ["HOME"] = home, ["SSH_AUTH_SOCK"] = "" };
            var byDefault = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. common, "127.0.0.1", "echo in"], environment: env);
            Assert.Equal((255, "", expected), (byDefault.ExitCode, byDefault.StdOut, byDefault.StdErr.Replace("\r\n", "\n")));

            Chmod(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var fixedMode = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. common, "127.0.0.1", "echo in"], environment: env);
            Assert.Equal((0, "in\n"), (fixedMode.ExitCode, fixedMode.StdOut));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
