using System.Diagnostics;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Samples;

/// <summary>
/// The samples/ programs, run the way the README tells users to run them (`dotnet run --project samples/NAME`,
/// here with --no-build: test.sh builds them with the solution), against real OpenSSH peers.
/// </summary>
[Collection(OpenSshCollection.Name)]
public sealed class SampleTests(OpenSshServerFixture fixture)
{
    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Lucid.slnx")))
                    return dir.FullName;
            throw new InvalidOperationException("Lucid.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string[] RunArgs(string sample, params string[] args) =>
        ["run", "--project", Path.Combine(RepoRoot, "samples", sample), "-c", "Release", "--no-build", "--", .. args];

    [Fact]
    public async Task RunCommand_prints_output_and_returns_the_remote_exit_code()
    {
        var server = fixture.Server;
        var result = await ProcessRunner.RunAsync(Dotnet, RunArgs("RunCommand", "-p", server.Port.ToString(), "-i", server.ClientKeyPath("ed25519"),
            "-o", server.KnownHostsPath, $"{server.User}@127.0.0.1", "echo out; echo err >&2; exit 3"), timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 3, result.ToString());
        // With LogLevel DEBUG1 (the fixture's) and -e, the session process's own debug1: lines reach the client's stderr.
        var stderr = string.Concat(result.StdErr.Split('\n').Where(l => !l.StartsWith("debug", StringComparison.Ordinal)).Select(l => l + "\n"))[..^1];
        Assert.Equal(("out\n", "err\n"), (result.StdOut, stderr));
    }

    [Fact]
    public async Task RunCommand_refuses_a_host_missing_from_known_hosts_naming_the_stage()
    {
        var server = fixture.Server;
        var empty = Path.Combine(server.Directory, "empty_known_hosts");
        await File.WriteAllTextAsync(empty, "");
        var result = await ProcessRunner.RunAsync(Dotnet, RunArgs("RunCommand", "-p", server.Port.ToString(), "-i", server.ClientKeyPath("ed25519"),
            "-o", empty, $"{server.User}@127.0.0.1", "echo never"), timeout: TimeSpan.FromSeconds(90));

        Assert.Equal(255, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Equal($"RunCommand: HostKey: Host key verification failed. (127.0.0.1 is not in {empty})\n", result.StdErr);
    }

    [Fact]
    public async Task EmbeddedServer_serves_its_in_process_subsystem_to_openssh_with_its_own_users()
    {
        var server = fixture.Server; // only for its client key pair and a scratch directory
        var info = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in RunArgs("EmbeddedServer", "--once", "--user", "demo", "--authorized-key", server.ClientKeyPath("ed25519") + ".pub"))
            info.ArgumentList.Add(a);
        using var embedded = Process.Start(info)!;
        try
        {
            var listening = await embedded.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await embedded.StandardError.ReadToEndAsync());
            var hostKey = (await embedded.StandardOutput.ReadLineAsync())!;
            var port = int.Parse(listening.Split(' ')[^1]);
            Assert.Equal($"listening on 127.0.0.1 port {port}", listening);
            var knownHosts = Path.Combine(server.Directory, $"embedded_known_hosts_{port}");
            await File.WriteAllTextAsync(knownHosts, $"[127.0.0.1]:{port} {hostKey["host key: ".Length..]}\n");

            var ssh = await ProcessRunner.RunAsync("ssh",
            [
                "-F", "/dev/null", "-p", port.ToString(), "-i", server.ClientKeyPath("ed25519"), "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-s", "demo@127.0.0.1", "upper",
            ], stdin: "quiet words from openssh\n");

            Assert.True(ssh.ExitCode == 0, ssh.ToString());
            Assert.Equal("QUIET WORDS FROM OPENSSH\n", ssh.StdOut);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await embedded.WaitForExitAsync(exited.Token);
            Assert.Equal(0, embedded.ExitCode);
        }
        finally
        {
            if (!embedded.HasExited)
                embedded.Kill(entireProcessTree: true);
        }
    }
}
