using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;

namespace Lucid.Interop.Tests.Client;

/// <summary>direct-tcpip channels through OpenSSH's sshd, up to a second SSH connection inside the first (ProxyJump).</summary>
public sealed class OpenSshTunnelTests(QuietOpenSshServerFixture fixture) : IClassFixture<QuietOpenSshServerFixture>
{
    [Fact]
    public async Task Direct_tcpip_reaches_a_port_behind_the_server()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        await using var channel = await client.OpenDirectTcpIpAsync("127.0.0.1", server.Port, cancellationToken: ct);
        using var reader = new StreamReader(channel.AsStream());

        Assert.StartsWith("SSH-2.0-OpenSSH_", await reader.ReadLineAsync(ct));
    }

    [Fact]
    public async Task A_second_connection_runs_through_the_first_like_proxyjump()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var jump = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);
        var tunnel = await jump.OpenDirectTcpIpAsync("127.0.0.1", server.Port, cancellationToken: ct);

        await using var inner = await SshClient.ConnectAsync(tunnel.AsStream(), server.Host, server.Port, ClientInterop.Options(server, "ecdsa256"), ct);
        var result = await inner.RunCommandAsync("echo $SSH_CONNECTION | cut -d' ' -f1", ct);

        Assert.Equal(("127.0.0.1\n", 0), (result.StandardOutput, result.ExitCode));
    }

    [Fact]
    public async Task Refused_tunnel_reports_the_servers_reason()
    {
        var ct = ClientInterop.Timeout();
        var server = fixture.Server;
        await using var client = await ClientInterop.ConnectAsync(server, ClientInterop.Options(server), ct);

        // Port 1 on loopback has no listener: sshd answers "connect failed".
        var error = await Assert.ThrowsAsync<SshChannelOpenException>(() => client.OpenDirectTcpIpAsync("127.0.0.1", 1, cancellationToken: ct));

        Assert.Equal(ChannelOpenFailureReason.ConnectFailed, error.Reason);
        Assert.Equal("open failed: connect failed: Connection refused", error.Message);
    }
}
