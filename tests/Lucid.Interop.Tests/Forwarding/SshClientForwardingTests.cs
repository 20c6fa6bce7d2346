using System.Net;
using System.Net.Sockets;
using Lucid.Interop.Tests.Client;
using Lucid.Ssh;
using Lucid.Ssh.Forwarding;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>The library's forwarding API (Lucid.Ssh.Forwarding) against Debian's OpenSSH sshd, data checked by SHA-256.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshClientForwardingTests(QuietOpenSshServerFixture fixture) : IClassFixture<QuietOpenSshServerFixture>, IDisposable
{
    private readonly EchoTarget _echo = new();

    public void Dispose() => _echo.Dispose();

    [Fact]
    public async Task ForwardLocal_on_port_0_carries_data_and_a_taken_port_throws_the_bind_error()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        await using var listener = client.ForwardLocal("127.0.0.1", 0, "127.0.0.1", _echo.Port);
        var (sent, received) = await EchoTarget.ProbeAsync(listener.Port, 2 * 1024 * 1024, ct);
        var taken = Assert.Throws<SocketException>(() => client.ForwardLocal("127.0.0.1", listener.Port, "127.0.0.1", _echo.Port));

        Assert.Equal(sent, received);
        Assert.Equal(SocketError.AddressAlreadyInUse, taken.SocketErrorCode);
    }

    [Fact]
    public async Task ForwardRemoteAsync_on_port_0_learns_the_port_and_disposing_cancels_it()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        var forward = await client.ForwardRemoteAsync(null, 0, "127.0.0.1", _echo.Port, ct);
        var (sent, received) = await EchoTarget.ProbeAsync(forward.Port, 2 * 1024 * 1024, ct);
        await forward.DisposeAsync();

        Assert.Equal(sent, received);
        // cancel-tcpip-forward closed the server's listener.
        while (!EchoTarget.Refuses(forward.Port))
            await Task.Delay(50, ct);
    }

    [Fact]
    public async Task ForwardRemoteAsync_refused_by_the_server_throws_at_the_forwarding_stage()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        // The port is taken here, on the server's machine: sshd's bind fails and it answers REQUEST_FAILURE.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<SshException>(() => client.ForwardRemoteAsync("127.0.0.1", port, "127.0.0.1", _echo.Port, ct));

        Assert.Equal(SshStage.Forwarding, e.Stage);
        Assert.Equal($"remote port forwarding failed for listen port {port}", e.Message);
    }
}
