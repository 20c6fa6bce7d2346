using System.Text.RegularExpressions;
using Lucid.Interop.Tests.Sshd;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// OpenSSH's ssh forwarding through `lucid sshd` (-L, -R with a fixed port and port 0, -W), the data checked by
/// SHA-256 both ways, and the authorized_keys options that restrict forwarding. One server for the class; each
/// test writes the authorized_keys line it needs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshdForwardingTests : IClassFixture<ForwardingServerFixture>
{
    private const int ProbeSize = 3 * 1024 * 1024;
    private readonly LucidSshd _server;
    private readonly EchoTarget _echo;

    public SshdForwardingTests(ForwardingServerFixture fixture)
    {
        _server = fixture.Server;
        _echo = fixture.Echo;
        Authorize("");
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(50)).Token;

    private void Authorize(string options) =>
        File.WriteAllText(_server.AuthorizedKeysPath, (options.Length > 0 ? options + " " : "") + File.ReadAllText(_server.ClientKeyPath() + ".pub").Trim() + "\n");

    /// <summary>`ssh -N` with the forwarding <paramref name="options"/>, at log level INFO so its forwarding messages show.</summary>
    private RunningProcess StartTunnel(params string[] options) =>
        RunningProcess.Start("ssh", ["-N", "-o", "LogLevel=INFO", .. options, .. _server.SshArguments()]);

    [Fact]
    public async Task Local_forward_carries_data_both_ways()
    {
        var ct = Timeout();
        var local = EchoTarget.FreePort();
        await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{_echo.Port}");

        var (sent, received) = await EchoTarget.ProbeAsync(local, ProbeSize, ct);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Hundreds_of_connections_through_one_tunnel_leave_no_sockets_behind()
    {
        var ct = Timeout();
        var local = EchoTarget.FreePort();
        await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{_echo.Port}");
        await EchoTarget.ProbeAsync(local, 1024, ct);
        int OpenDescriptors() => Directory.GetFiles($"/proc/{_server.ProcessId}/fd").Length;
        var before = OpenDescriptors();

        for (var round = 0; round < 10; round++)
        {
            var probes = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => EchoTarget.ProbeAsync(local, 16 * 1024, ct)));
            Assert.All(probes, p => Assert.Equal(p.Sent, p.Received));
        }

        // Every forwarded socket is closed once its channel is: the server's descriptors come back to where they were.
        while (OpenDescriptors() > before)
            await Task.Delay(50, ct);
    }

    [Fact]
    public async Task Stdio_forward_carries_data_both_ways()
    {
        var text = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024 * 1024)) + "\n";

        var r = await _server.SshAsync("", options: ["-W", $"127.0.0.1:{_echo.Port}"], stdin: text);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(text, r.StdOut);
    }

    [Fact]
    public async Task Remote_forward_on_a_fixed_port_carries_data_both_ways()
    {
        var ct = Timeout();
        var remote = EchoTarget.FreePort();
        await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-R", $"{remote}:127.0.0.1:{_echo.Port}");

        var (sent, received) = await EchoTarget.ProbeAsync(remote, ProbeSize, ct);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Remote_forward_on_port_0_reports_the_allocated_port_and_the_listener_closes_with_the_connection()
    {
        var ct = Timeout();
        var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-R", $"0:127.0.0.1:{_echo.Port}");
        int port;
        try
        {
            await ssh.WaitForOutputAsync($"for remote forward to 127.0.0.1:{_echo.Port}");
            var match = Regex.Match(ssh.Output, $@"^Allocated port (\d+) for remote forward to 127\.0\.0\.1:{_echo.Port}$", RegexOptions.Multiline);
            Assert.True(match.Success, ssh.Output);
            port = int.Parse(match.Groups[1].Value);
            var (sent, received) = await EchoTarget.ProbeAsync(port, ProbeSize, ct);
            Assert.Equal(sent, received);
        }
        finally
        {
            await ssh.DisposeAsync();
        }

        // The client is gone: lucid sshd closes the listener with the connection.
        while (!EchoTarget.Refuses(port))
            await Task.Delay(50, ct);
    }

    [Fact]
    public async Task A_forward_to_a_closed_port_fails_with_the_connect_error()
    {
        var closed = EchoTarget.FreePort();

        var r = await _server.SshAsync("", options: ["-o", "LogLevel=INFO", "-W", $"127.0.0.1:{closed}"]);

        Assert.Equal(255, r.ExitCode);
        Assert.Contains("channel 0: open failed: connect failed: Connection refused", r.StdErr);
        Assert.Contains("stdio forwarding failed", r.StdErr);
        await _server.WaitForLogAsync($"connect_to 127.0.0.1 port {closed}: failed.");
    }

    [Fact]
    public async Task No_port_forwarding_refuses_local_and_remote_forwards()
    {
        Authorize("no-port-forwarding");
        var local = await _server.SshAsync("", options: ["-o", "LogLevel=INFO", "-W", $"127.0.0.1:{_echo.Port}"]);
        Assert.Equal(255, local.ExitCode);
        Assert.Contains("channel 0: open failed: administratively prohibited: open failed", local.StdErr);
        await _server.WaitForLogAsync($"refused local port forward: originator 127.0.0.1 port 65535, target 127.0.0.1 port {_echo.Port}");

        var remote = EchoTarget.FreePort();
        var r = await _server.SshAsync("true", options: ["-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", $"{remote}:127.0.0.1:{_echo.Port}"]);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"Error: remote port forwarding failed for listen port {remote}", r.StdErr);
    }

    [Fact]
    public async Task Restrict_refuses_forwarding_and_port_forwarding_gives_it_back()
    {
        Authorize("restrict");
        var refused = await _server.SshAsync("", options: ["-W", $"127.0.0.1:{_echo.Port}"], stdin: "x\n");
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("stdio forwarding failed", refused.StdErr);

        Authorize("restrict,port-forwarding");
        var allowed = await _server.SshAsync("", options: ["-W", $"127.0.0.1:{_echo.Port}"], stdin: "through\n");
        Assert.Equal("through\n", allowed.StdOut);
    }

    [Fact]
    public async Task Permitopen_allows_only_the_listed_destination()
    {
        var other = new EchoTarget();
        using var _ = other;
        Authorize($"permitopen=\"127.0.0.1:{_echo.Port}\"");

        var allowed = await _server.SshAsync("", options: ["-W", $"127.0.0.1:{_echo.Port}"], stdin: "listed\n");
        var denied = await _server.SshAsync("", options: ["-o", "LogLevel=INFO", "-W", $"127.0.0.1:{other.Port}"], stdin: "other\n");

        Assert.Equal("listed\n", allowed.StdOut);
        Assert.Equal(255, denied.ExitCode);
        Assert.Contains("open failed: administratively prohibited: open failed", denied.StdErr);
        await _server.WaitForLogAsync($"to connect to host 127.0.0.1 port {other.Port}, but the request was denied.");
    }

    [Fact]
    public async Task Permitlisten_allows_only_the_listed_port()
    {
        var ct = Timeout();
        var listed = EchoTarget.FreePort();
        var other = EchoTarget.FreePort();
        Authorize($"permitlisten=\"localhost:{listed}\"");

        var denied = await _server.SshAsync("true", options: ["-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", $"{other}:127.0.0.1:{_echo.Port}"]);
        Assert.Equal(255, denied.ExitCode);
        Assert.Contains($"Error: remote port forwarding failed for listen port {other}", denied.StdErr);
        await _server.WaitForLogAsync($"to remote forward to host localhost port {other}, but the request was denied.");

        await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-R", $"{listed}:127.0.0.1:{_echo.Port}");
        var (sent, received) = await EchoTarget.ProbeAsync(listed, 64 * 1024, ct);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Local_forward_reaches_a_unix_socket_on_the_server()
    {
        var ct = Timeout();
        var directory = Directory.CreateTempSubdirectory("lucid-fwd-").FullName;
        try
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            using var target = new EchoTarget(Path.Combine(directory, "echo.sock"));
            var local = EchoTarget.FreePort();
            await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-L", $"{local}:{Path.Combine(directory, "echo.sock")}");

            var (sent, received) = await EchoTarget.ProbeAsync(local, ProbeSize, ct);

            Assert.Equal(sent, received);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_unix_socket_the_user_may_not_open_is_refused_as_for_the_user()
    {
        var ct = Timeout();
        var directory = Directory.CreateTempSubdirectory("lucid-fwd-").FullName;
        try
        {
            // Root's socket, mode 0600: lucid sshd runs as root but connects with the user's rights.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            var path = Path.Combine(directory, "private.sock");
            using var target = new EchoTarget(path);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var local = EchoTarget.FreePort();
            await using var ssh = StartTunnel("-L", $"{local}:{path}");

            using var connection = await EchoTarget.ConnectAsync(local, ct);

            await ssh.WaitForOutputAsync("open failed: connect failed: open failed");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Remote_forward_from_a_unix_socket_is_the_users_with_mode_0600()
    {
        var ct = Timeout();
        var directory = Directory.CreateTempSubdirectory("lucid-fwd-").FullName;
        try
        {
            var chown = await ProcessRunner.RunAsync("chown", [LucidSshd.TestUser, directory]);
            Assert.True(chown.ExitCode == 0, chown.ToString());
            var path = Path.Combine(directory, "remote.sock");
            await using var ssh = StartTunnel("-o", "ExitOnForwardFailure=yes", "-R", $"{path}:127.0.0.1:{_echo.Port}");
            while (!File.Exists(path))
                await Task.Delay(50, ct);

            var owner = await ProcessRunner.RunAsync("stat", ["-c", "%U %a", path]);
            var (sent, received) = await EchoTarget.ProbeAsync(path, ProbeSize, ct);

            Assert.Equal($"{LucidSshd.TestUser} 600\n", owner.StdOut);
            Assert.Equal(sent, received);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>One `lucid sshd` with default forwarding settings and one echo service, shared by a test class.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ForwardingServerFixture : IAsyncLifetime
{
    public LucidSshd Server { get; private set; } = null!;
    public EchoTarget Echo { get; } = new();

    public async Task InitializeAsync() => Server = await LucidSshd.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Echo.Dispose();
    }
}
