namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `lucid sshd -i`: one connection on stdin and stdout, as inetd or ssh's ProxyCommand runs it (OpenSSH's regress suite
/// reaches its server this way in many of its tests).
/// </summary>
public sealed class SshdInetdTests
{
    private static string Lucid => global::Lucid.Interop.Tests.Lucid.Executable;

    private static List<string> ProxyOptions(SshdScratch scratch)
    {
        var options = scratch.SshOptions();
        options.AddRange(["-o", $"ProxyCommand {Lucid} sshd -i -f {scratch.ConfigPath} -E {scratch.LogFile}"]);
        return options;
    }

    [Fact]
    public async Task OpenSsh_through_a_proxy_command_runs_a_command_and_moves_100_MB_each_way_intact()
    {
        using var scratch = await SshdScratch.CreateAsync("inetd");
        var options = ProxyOptions(scratch);

        var command = await ProcessRunner.RunAsync("ssh", [.. options, "somehost", "echo \"$SSH_CONNECTION\"; id -un; exit 7"]);
        Assert.True(command.ExitCode == 7, command + "\n--- log\n" + scratch.Log);
        Assert.Equal($"UNKNOWN 65535 UNKNOWN 65535\n{LucidSshd.TestUser}\n", command.StdOut);
        Assert.Contains($"Accepted publickey for {LucidSshd.TestUser} from UNKNOWN port 65535 ssh2", scratch.Log);

        var data = Path.Combine(scratch.Directory, "data");
        await using (var file = File.Create(data))
        {
            var block = new byte[1 << 20];
            for (var i = 0; i < 100; i++)
            {
                Random.Shared.NextBytes(block);
                await file.WriteAsync(block);
            }
        }
        if (!OperatingSystem.IsWindows())
        {
            // The session runs as the test user: it reads the file through the directory.
            File.SetUnixFileMode(scratch.Directory, (UnixFileMode)0x1ed);
            File.SetUnixFileMode(data, (UnixFileMode)0x1a4);
        }
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(data)));
        var quoted = string.Join(' ', options.Select(o => "'" + o.Replace("'", "'\\''") + "'"));

        var upload = await ProcessRunner.RunAsync("bash", ["-c", $"ssh {quoted} somehost sha256sum < {data}"], timeout: TimeSpan.FromMinutes(3));
        Assert.True(upload.ExitCode == 0, upload + "\n--- log\n" + scratch.Log);
        Assert.Equal($"{expected}  -\n", upload.StdOut);

        var download = await ProcessRunner.RunAsync("bash", ["-c", $"set -o pipefail; ssh {quoted} somehost cat {data} | sha256sum"], timeout: TimeSpan.FromMinutes(3));
        Assert.True(download.ExitCode == 0, download + "\n--- log\n" + scratch.Log);
        Assert.Equal($"{expected}  -\n", download.StdOut);
    }
}
