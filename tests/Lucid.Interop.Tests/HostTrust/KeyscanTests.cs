using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>`lucid ssh-keyscan` against OpenSSH's ssh-keyscan on the same sshd.</summary>
[Collection(OpenSshCollection.Name)]
public sealed class KeyscanTests(OpenSshServerFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-ks-").FullName;
    private OpenSshServer Server => fixture.Server;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string[] Sorted(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    private async Task<(ProcessResult Ours, ProcessResult Theirs)> BothAsync(params string[] args)
    {
        var ours = await Lucid.RunAsync(["ssh-keyscan", .. args]);
        var theirs = await ProcessRunner.RunAsync("ssh-keyscan", args);
        return (ours, theirs);
    }

    [Fact]
    public async Task Default_types_print_what_OpenSSH_prints()
    {
        var (ours, theirs) = await BothAsync("-p", Server.Port.ToString(), Server.Host);
        Assert.Equal(0, theirs.ExitCode);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(Sorted(theirs.StdOut), Sorted(ours.StdOut));
        Assert.Equal(3, Sorted(ours.StdOut).Length);
        // One "# host:port banner" comment per connection (rsa, ecdsa, ed25519, ecdsa-sk, ed25519-sk), on stderr.
        Assert.Equal(Sorted(theirs.StdErr), Sorted(ours.StdErr));
        Assert.StartsWith($"# 127.0.0.1:{Server.Port} SSH-2.0-OpenSSH_", ours.StdErr);
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    [InlineData("ed25519")]
    [InlineData("ssh-ed25519,ECDSA")]
    [InlineData("ecdsa-sha2-nistp384,rsa-sha2-256")]
    public async Task Each_type_prints_what_OpenSSH_prints(string types)
    {
        var (ours, theirs) = await BothAsync("-t", types, "-p", Server.Port.ToString(), Server.Host, "localhost");
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(Sorted(theirs.StdOut), Sorted(ours.StdOut));
        Assert.Equal(Sorted(theirs.StdErr), Sorted(ours.StdErr));
    }

    [Fact]
    public async Task Hashed_names_verify_and_OpenSSH_finds_them()
    {
        var (ours, theirs) = await BothAsync("-H", "-p", Server.Port.ToString(), Server.Host);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        var name = $"[127.0.0.1]:{Server.Port}";
        var ourLines = Sorted(ours.StdOut);
        Assert.All(ourLines, l => Assert.True(KnownHostsMatcher.HashedMatches(l.Split(' ')[0], name), l));
        static string[] Keys(string[] lines) => [.. lines.Select(l => l[(l.IndexOf(' ') + 1)..]).Order(StringComparer.Ordinal)];
        Assert.Equal(Keys(Sorted(theirs.StdOut)), Keys(ourLines));

        var path = Path.Combine(_dir, "known_hosts");
        File.WriteAllText(path, ours.StdOut);
        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", name, "-f", path]);
        Assert.Equal(0, found.ExitCode);
        Assert.Equal(3, found.StdOut.Split('\n').Count(l => l.StartsWith("|1|", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Host_file_with_address_and_name_lists_and_quiet()
    {
        var list = Path.Combine(_dir, "hosts");
        File.WriteAllText(list, $"# scanned hosts\n\n127.0.0.1 Web1,web2\nlocalhost\n");
        var ours = await Lucid.RunAsync("ssh-keyscan", "-q", "-t", "ed25519", "-p", Server.Port.ToString(), "-f", list);
        var theirs = await ProcessRunner.RunAsync("ssh-keyscan", ["-t", "ed25519", "-p", Server.Port.ToString(), "-f", list]);
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(Sorted(theirs.StdOut), Sorted(ours.StdOut));
        Assert.Equal("", ours.StdErr);
    }

    [Fact]
    public async Task Lines_are_accepted_by_OpenSSH_ssh_as_known_hosts()
    {
        var ours = await Lucid.RunAsync("ssh-keyscan", "-H", "-t", "ed25519", "-p", Server.Port.ToString(), Server.Host);
        var path = Path.Combine(_dir, "scanned");
        File.WriteAllText(path, ours.StdOut);
        var ssh = await ProcessRunner.RunAsync("ssh",
        [
            "-F", "/dev/null", "-p", Server.Port.ToString(), "-i", Server.ClientKeyPath("ed25519"),
            "-o", "UserKnownHostsFile=" + path, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "HostKeyAlgorithms=ssh-ed25519", "-l", Server.User, Server.Host, "true",
        ]);
        Assert.True(ssh.ExitCode == 0, ssh.ToString());
    }

    [Fact]
    public async Task Bad_input_gets_OpenSSH_messages_and_exit_codes()
    {
        var unknownType = await Lucid.RunAsync("ssh-keyscan", "-t", "ed25519,foo", Server.Host);
        Assert.Equal((255, "Unknown key type \"foo\"\n"), (unknownType.ExitCode, unknownType.StdErr));
        var badPort = await Lucid.RunAsync("ssh-keyscan", "-p", "x", Server.Host);
        Assert.Equal((1, "Bad port 'x'\n"), (badPort.ExitCode, badPort.StdErr));
        var noHost = await Lucid.RunAsync("ssh-keyscan");
        Assert.Equal(1, noHost.ExitCode);
        Assert.StartsWith("usage: ssh-keyscan [-46cDHqv]", noHost.StdErr);
        var missing = await Lucid.RunAsync("ssh-keyscan", "-f", Path.Combine(_dir, "nope"));
        Assert.Equal((255, $"ssh-keyscan: {Path.Combine(_dir, "nope")}: No such file or directory\n"), (missing.ExitCode, missing.StdErr));
        var unresolvable = await Lucid.RunAsync("ssh-keyscan", "-t", "rsa", "nonexistent.invalid");
        Assert.Equal((1, "getaddrinfo nonexistent.invalid: Name or service not known\n"), (unresolvable.ExitCode, unresolvable.StdErr));
    }

    [Fact]
    public async Task A_closed_port_prints_nothing_and_exits_1()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (ours, theirs) = await BothAsync("-p", port.ToString(), Server.Host);
        Assert.Equal((theirs.ExitCode, theirs.StdOut, theirs.StdErr), (ours.ExitCode, ours.StdOut, ours.StdErr));
    }
}
