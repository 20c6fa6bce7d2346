using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Lucid.Interop.Tests.Sshd;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// `lucid ssh` forwarding (-L, -R with port 0, -D as SOCKS4a and SOCKS5 for curl, ExitOnForwardFailure) against
/// OpenSSH's sshd and against `lucid sshd`, the data checked by SHA-256.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LucidSshForwardingTests : IClassFixture<LucidSshForwardingTests.Servers>
{
    private readonly Servers _servers;

    public LucidSshForwardingTests(Servers servers) => _servers = servers;

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(50)).Token;

    /// <summary>`lucid ssh -N` to <paramref name="server"/> with <paramref name="options"/>, at log level INFO.</summary>
    private static RunningProcess StartTunnel(LucidSshd server, params string[] options) =>
        RunningProcess.Start(global::Lucid.Interop.Tests.Lucid.Executable, ["ssh", "-N", "-o", "LogLevel=INFO", .. options, .. server.SshArguments()]);

    [Fact]
    public async Task Local_forward_through_OpenSSHs_sshd_carries_data_both_ways()
    {
        var ct = Timeout();
        var local = EchoTarget.FreePort();
        await using var ssh = StartTunnel(_servers.OpenSsh, "-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{_servers.Echo.Port}");

        var (sent, received) = await EchoTarget.ProbeAsync(local, 3 * 1024 * 1024, ct);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Remote_forward_on_port_0_through_lucid_sshd_reports_the_port_and_carries_data()
    {
        var ct = Timeout();
        await using var ssh = StartTunnel(_servers.Lucid, "-o", "ExitOnForwardFailure=yes", "-R", $"0:127.0.0.1:{_servers.Echo.Port}");
        await ssh.WaitForOutputAsync($"for remote forward to 127.0.0.1:{_servers.Echo.Port}");
        var match = Regex.Match(ssh.Output, $@"^Allocated port (\d+) for remote forward to 127\.0\.0\.1:{_servers.Echo.Port}$", RegexOptions.Multiline);
        Assert.True(match.Success, ssh.Output);

        var (sent, received) = await EchoTarget.ProbeAsync(int.Parse(match.Groups[1].Value), 3 * 1024 * 1024, ct);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Remote_forward_on_a_fixed_port_through_OpenSSHs_sshd_carries_data()
    {
        var ct = Timeout();
        var port = EchoTarget.FreePort();
        await using var ssh = StartTunnel(_servers.OpenSsh, "-o", "ExitOnForwardFailure=yes", "-R", $"{port}:127.0.0.1:{_servers.Echo.Port}");

        var (sent, received) = await EchoTarget.ProbeAsync(port, 1024 * 1024, ct);

        Assert.Equal(sent, received);
    }

    [Theory]
    [InlineData("--socks5-hostname")]
    [InlineData("--socks4a")]
    [InlineData("--socks5")]
    public async Task Dynamic_forward_serves_curl_as_a_socks_proxy(string curlOption)
    {
        var ct = Timeout();
        var socks = EchoTarget.FreePort();
        await using var ssh = StartTunnel(_servers.OpenSsh, "-o", "ExitOnForwardFailure=yes", "-D", $"127.0.0.1:{socks}");
        using (await EchoTarget.ConnectAsync(socks, ct))
        {
            // The proxy is up.
        }

        var r = await ProcessRunner.RunAsync("curl", ["-sS", "--max-time", "30", curlOption, $"127.0.0.1:{socks}", $"http://localhost:{_servers.Web.Port}/x"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(_servers.Web.Body, r.StdOut);
    }

    [Fact]
    public async Task A_socks_client_sending_garbage_is_disconnected_and_the_proxy_keeps_serving()
    {
        var ct = Timeout();
        var socks = EchoTarget.FreePort();
        await using var ssh = StartTunnel(_servers.Lucid, "-o", "ExitOnForwardFailure=yes", "-D", $"{socks}");
        using (var garbage = await EchoTarget.ConnectAsync(socks, ct))
        {
            await garbage.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), ct);
            // Closed without a word: an end of stream, or a reset because the rest of the garbage went unread.
            try
            {
                Assert.Equal(0, await garbage.ReceiveAsync(new byte[16], ct));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
            }
        }

        var r = await ProcessRunner.RunAsync("curl", ["-sS", "--max-time", "30", "--socks5-hostname", $"127.0.0.1:{socks}", $"http://localhost:{_servers.Web.Port}/"]);

        Assert.Equal(_servers.Web.Body, r.StdOut);
    }

    [Fact]
    public async Task ExitOnForwardFailure_exits_255_when_the_local_port_is_taken()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var r = await global::Lucid.Interop.Tests.Lucid.RunAsync(["ssh", "-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-L", $"127.0.0.1:{port}:127.0.0.1:{_servers.Echo.Port}", .. _servers.Lucid.SshArguments(), "true"]);

        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"bind [127.0.0.1]:{port}: Address already in use", r.StdErr);
        Assert.Contains("Could not request local forwarding.", r.StdErr);
    }

    [Fact]
    public async Task A_remote_forward_the_server_refuses_is_a_warning_or_with_ExitOnForwardFailure_exit_255()
    {
        var port = EchoTarget.FreePort();
        var warned = await global::Lucid.Interop.Tests.Lucid.RunAsync(["ssh", "-o", "LogLevel=INFO", "-R", $"{port}:127.0.0.1:{_servers.Echo.Port}", .. _servers.Refusing.SshArguments(), "echo ran"]);
        var fatal = await global::Lucid.Interop.Tests.Lucid.RunAsync(["ssh", "-o", "LogLevel=INFO", "-o", "ExitOnForwardFailure=yes", "-R", $"{port}:127.0.0.1:{_servers.Echo.Port}", .. _servers.Refusing.SshArguments(), "echo ran"]);

        Assert.True(warned is { ExitCode: 0, StdOut: "ran\n" }, warned.ToString());
        Assert.Contains($"Warning: remote port forwarding failed for listen port {port}", warned.StdErr);
        Assert.Equal(255, fatal.ExitCode);
        Assert.Contains($"Error: remote port forwarding failed for listen port {port}", fatal.StdErr);
    }

    /// <summary>OpenSSH 10.5's sshd, `lucid sshd`, a `lucid sshd` refusing remote forwards, an echo service and a web page.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public LucidSshd OpenSsh { get; private set; } = null!;
        public LucidSshd Lucid { get; private set; } = null!;
        public LucidSshd Refusing { get; private set; } = null!;
        public EchoTarget Echo { get; } = new();
        public WebPage Web { get; } = new();

        public async Task InitializeAsync()
        {
            OpenSsh = await LucidSshd.StartOpenSsh105Async();
            Lucid = await LucidSshd.StartAsync();
            Refusing = await LucidSshd.StartAsync("AllowTcpForwarding local");
        }

        public async Task DisposeAsync()
        {
            await OpenSsh.DisposeAsync();
            await Lucid.DisposeAsync();
            await Refusing.DisposeAsync();
            Echo.Dispose();
            Web.Dispose();
        }
    }

    /// <summary>A one-page HTTP/1.0 server on 127.0.0.1 for curl to fetch through the SOCKS proxy.</summary>
    public sealed class WebPage : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public WebPage()
        {
            _listener.Start();
            _ = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public string Body { get; } = "through the proxy " + Guid.NewGuid() + "\n";

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    _ = Task.Run(async () =>
                    {
                        using (socket)
                        {
                            var request = new StringBuilder();
                            var buffer = new byte[4096];
                            int n;
                            while (!request.ToString().Contains("\r\n\r\n") && (n = await socket.ReceiveAsync(buffer)) > 0)
                                request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                            var body = Encoding.UTF8.GetBytes(Body);
                            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"));
                            await socket.SendAsync(body);
                            socket.Shutdown(SocketShutdown.Send);
                        }
                    });
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
