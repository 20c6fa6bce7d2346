using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>Host key checking through `lucid ssh` against a real sshd, with OpenSSH's ssh as the reference for wording.</summary>
public sealed class HostKeyTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _server = await OpenSshServer.StartAsync();
        _dir = Directory.CreateTempSubdirectory("lucid-hostkey-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string[] Args(string knownHosts, string strict, params string[] command) =>
    [
        "-F", "/dev/null", "-p", _server.Port.ToString(), "-i", _server.ClientKeyPath("ed25519"),
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=" + strict,
        "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "BatchMode=yes", "-l", _server.User, "127.0.0.1", .. command,
    ];

    private string HostKeyLine => File.ReadAllText(_server.HostKeyPath("ed25519") + ".pub").Trim().Split(' ')[..2] is var p ? $"{p[0]} {p[1]}" : "";

    private async Task<(ProcessResult Real, ProcessResult Ours)> BothAsync(string[] args)
    {
        var real = await ProcessRunner.RunAsync("ssh", args);
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. args]);
        return (real, ours);
    }

    [Fact]
    public async Task Changed_key_is_refused_with_the_openssh_warning()
    {
        var knownHosts = Path.Combine(_dir, "known_hosts");
        // Another server's ed25519 key recorded for this host and port.
        var other = Path.Combine(_dir, "other");
        await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
        var otherKey = string.Join(' ', File.ReadAllText(other + ".pub").Split(' ')[..2]);
        File.WriteAllText(knownHosts, $"[127.0.0.1]:{_server.Port} {otherKey}\n");

        foreach (var strict in new[] { "yes", "ask", "accept-new" })
        {
            var (real, ours) = await BothAsync(Args(knownHosts, strict, "true"));
            Assert.Equal(255, real.ExitCode);
            Assert.Contains("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n", real.StdErr);
            Assert.EndsWith("Host key verification failed.\r\n", real.StdErr);
            Assert.Equal(real.StdErr, ours.StdErr);
            Assert.Equal(255, ours.ExitCode);
        }
        Assert.Equal($"[127.0.0.1]:{_server.Port} {otherKey}\n", File.ReadAllText(knownHosts));
    }

    [Fact]
    public async Task Unknown_key_with_strict_checking_is_refused()
    {
        var knownHosts = Path.Combine(_dir, "empty_known_hosts");
        var (real, ours) = await BothAsync(Args(knownHosts, "yes", "true"));
        Assert.Equal($"No ED25519 host key is known for [127.0.0.1]:{_server.Port} and you have requested strict checking.\r\nHost key verification failed.\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
        Assert.False(File.Exists(knownHosts));
    }

    [Fact]
    public async Task Unknown_key_in_batch_mode_is_refused_without_a_prompt()
    {
        var knownHosts = Path.Combine(_dir, "batch_known_hosts");
        var (real, ours) = await BothAsync(Args(knownHosts, "ask", "true"));
        Assert.Equal("Host key verification failed.\r\n", real.StdErr);
        Assert.Equal(real.StdErr, ours.StdErr);
        Assert.Equal(255, ours.ExitCode);
    }

    [Fact]
    public async Task Accept_new_records_the_key_and_the_next_connection_trusts_it()
    {
        var knownHosts = Path.Combine(_dir, "new_known_hosts");
        var first = await Lucid.RunAsync(["ssh", .. Args(knownHosts, "accept-new", "echo", "first")]);
        // (The fixture's sshd logs at DEBUG1 and so sends its session's debug lines too, to OpenSSH's ssh just the same.)
        Assert.StartsWith($"Warning: Permanently added '[127.0.0.1]:{_server.Port}' (ED25519) to the list of known hosts.\r\n", first.StdErr);
        Assert.Equal("first\n", first.StdOut);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal($"[127.0.0.1]:{_server.Port} {HostKeyLine}\n", File.ReadAllText(knownHosts));

        // Now strict checking passes on the recorded key, and OpenSSH's ssh agrees with the file we wrote.
        var second = await Lucid.RunAsync(["ssh", .. Args(knownHosts, "yes", "echo", "second")]);
        Assert.Equal(("second\n", 0), (second.StdOut, second.ExitCode));
        Assert.DoesNotContain("Warning", second.StdErr);
        var real = await ProcessRunner.RunAsync("ssh", Args(knownHosts, "yes", "echo", "third"));
        Assert.Equal(("third\n", 0), (real.StdOut, real.ExitCode));
    }
}
