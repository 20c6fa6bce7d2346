using Lucid.Interop.Tests.Sshd;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// sshd_config's forwarding policy in `lucid sshd` (AllowTcpForwarding, PermitOpen, PermitListen, DisableForwarding,
/// GatewayPorts, Match), each allowing and denying, with OpenSSH's ssh and its messages on the other end.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshdForwardingPolicyTests : IDisposable
{
    private readonly EchoTarget _echo = new();

    public void Dispose() => _echo.Dispose();

    /// <summary>ssh -W to the echo service: what came back, or the failure.</summary>
    private Task<ProcessResult> StdioForwardAsync(LucidSshd server, int? port = null) =>
        server.SshAsync("", options: ["-o", "LogLevel=INFO", "-W", $"127.0.0.1:{port ?? _echo.Port}"], stdin: "through\n");

    /// <summary>ssh -R with ExitOnForwardFailure and a command: exit 0 when the forward was granted, 255 when not.</summary>
    private static Task<ProcessResult> RemoteForwardAsync(LucidSshd server, int listenPort, int targetPort) =>
        server.SshAsync("echo granted", options: ["-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", $"{listenPort}:127.0.0.1:{targetPort}"]);

    private static void AssertLocalGranted(ProcessResult r) => Assert.True(r.StdOut == "through\n", r.ToString());

    private static void AssertLocalRefused(ProcessResult r)
    {
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("channel 0: open failed: administratively prohibited: open failed", r.StdErr);
        Assert.Contains("stdio forwarding failed", r.StdErr);
    }

    private static void AssertRemoteGranted(ProcessResult r) => Assert.True(r is { ExitCode: 0, StdOut: "granted\n" }, r.ToString());

    private static void AssertRemoteRefused(ProcessResult r, int port)
    {
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"Error: remote port forwarding failed for listen port {port}", r.StdErr);
    }

    [Fact]
    public async Task AllowTcpForwarding_no_refuses_both_directions()
    {
        await using var server = await LucidSshd.StartAsync("AllowTcpForwarding no");
        AssertLocalRefused(await StdioForwardAsync(server));
        await server.WaitForLogAsync($"refused local port forward: originator 127.0.0.1 port 65535, target 127.0.0.1 port {_echo.Port}");
        var port = EchoTarget.FreePort();
        AssertRemoteRefused(await RemoteForwardAsync(server, port, _echo.Port), port);
    }

    [Fact]
    public async Task AllowTcpForwarding_local_allows_only_local_forwards()
    {
        await using var server = await LucidSshd.StartAsync("AllowTcpForwarding local");
        AssertLocalGranted(await StdioForwardAsync(server));
        var port = EchoTarget.FreePort();
        AssertRemoteRefused(await RemoteForwardAsync(server, port, _echo.Port), port);
    }

    [Fact]
    public async Task AllowTcpForwarding_remote_allows_only_remote_forwards()
    {
        await using var server = await LucidSshd.StartAsync("AllowTcpForwarding remote");
        AssertLocalRefused(await StdioForwardAsync(server));
        AssertRemoteGranted(await RemoteForwardAsync(server, EchoTarget.FreePort(), _echo.Port));
    }

    [Fact]
    public async Task DisableForwarding_overrides_AllowTcpForwarding_yes()
    {
        await using var server = await LucidSshd.StartAsync("DisableForwarding yes", "AllowTcpForwarding yes");
        AssertLocalRefused(await StdioForwardAsync(server));
        var port = EchoTarget.FreePort();
        AssertRemoteRefused(await RemoteForwardAsync(server, port, _echo.Port), port);
    }

    [Fact]
    public async Task PermitOpen_allows_the_listed_destination_and_refuses_others()
    {
        using var other = new EchoTarget();
        await using var server = await LucidSshd.StartAsync($"PermitOpen 127.0.0.1:{_echo.Port}");
        AssertLocalGranted(await StdioForwardAsync(server));
        AssertLocalRefused(await StdioForwardAsync(server, other.Port));
        await server.WaitForLogAsync($"to connect to host 127.0.0.1 port {other.Port}, but the request was denied.");
    }

    [Fact]
    public async Task PermitOpen_none_refuses_every_destination()
    {
        await using var server = await LucidSshd.StartAsync("PermitOpen none");
        AssertLocalRefused(await StdioForwardAsync(server));
    }

    [Fact]
    public async Task PermitListen_allows_the_listed_port_and_refuses_others()
    {
        var listed = EchoTarget.FreePort();
        var other = EchoTarget.FreePort();
        await using var server = await LucidSshd.StartAsync($"PermitListen {listed}");
        AssertRemoteGranted(await RemoteForwardAsync(server, listed, _echo.Port));
        AssertRemoteRefused(await RemoteForwardAsync(server, other, _echo.Port), other);
        await server.WaitForLogAsync($"to remote forward to host localhost port {other}, but the request was denied.");
    }

    [Fact]
    public async Task A_Match_block_refuses_forwarding_for_the_matched_user_only()
    {
        await using var server = await LucidSshd.StartAsync("Match User root", "    AllowTcpForwarding no",
            $"Match User {LucidSshd.TestUser}", "    AllowTcpForwarding local");
        AssertLocalGranted(await StdioForwardAsync(server));
        var port = EchoTarget.FreePort();
        AssertRemoteRefused(await RemoteForwardAsync(server, port, _echo.Port), port);
    }

    [Fact]
    public async Task A_non_root_user_cannot_listen_on_a_privileged_port()
    {
        await using var server = await LucidSshd.StartAsync();
        AssertRemoteRefused(await RemoteForwardAsync(server, 999, _echo.Port), 999);
        await server.WaitForLogAsync("bind [127.0.0.1]:999: Permission denied");
    }

    /// <summary>This machine's first IPv4 address that is not loopback (CI runners and containers have one).</summary>
    private static System.Net.IPAddress ExternalAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));

    private static bool Accepts(System.Net.IPAddress address, int port)
    {
        using var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            socket.Connect(address, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("no", "*", false)]
    [InlineData("yes", "localhost", true)]
    [InlineData("clientspecified", "*", true)]
    [InlineData("clientspecified", "localhost", false)]
    public async Task GatewayPorts_decides_whether_a_remote_forward_listens_beyond_loopback(string gatewayPorts, string bind, bool external)
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(50)).Token;
        await using var server = await LucidSshd.StartAsync($"GatewayPorts {gatewayPorts}");
        var port = EchoTarget.FreePort();
        await using var ssh = RunningProcess.Start("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-R", $"{bind}:{port}:127.0.0.1:{_echo.Port}", .. server.SshArguments()]);

        var (sent, received) = await EchoTarget.ProbeAsync(port, 1024, ct);

        Assert.Equal(sent, received);
        Assert.Equal(external, Accepts(ExternalAddress(), port));
    }
}
