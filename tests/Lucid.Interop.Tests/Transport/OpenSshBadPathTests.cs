using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Interop.Tests.Transport;

/// <summary>Our client transport against sshd when things go wrong, and rekeying initiated by either side.</summary>
public sealed class OpenSshBadPathTests(OpenSshServerFixture fixture) : IClassFixture<OpenSshServerFixture>
{
    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", "hmac-sha2-256")]
    [InlineData("aes256-gcm@openssh.com", "hmac-sha2-256")]
    [InlineData("aes128-ctr", "hmac-sha2-256")]
    [InlineData("aes128-ctr", "hmac-sha2-512-etm@openssh.com")]
    [InlineData("aes128-ctr", "umac-64@openssh.com")]
    [InlineData("aes256-ctr", "umac-128-etm@openssh.com")]
    public async Task A_corrupted_packet_is_Corrupted_MAC_on_input(string cipher, string mac)
    {
        var tcp = await fixture.Server.ConnectTcpAsync();
        var stream = new CorruptingStream(tcp.GetStream());
        await using var transport = await SshTransport.ConnectClientAsync(stream, new ClientTransportOptions
        {
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
            Ciphers = [cipher],
            Macs = [mac],
        });
        await TransportInterop.RequestUserAuthServiceAsync(transport);
        stream.Arm();
        using var request = new SshWriter();
        request.WriteByte((byte)MessageNumber.ServiceRequest).WriteString("ssh-userauth");
        await transport.SendAsync(request.WrittenMemory);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var e = await Assert.ThrowsAsync<SshProtocolException>(async () => await transport.ReceiveAsync(cts.Token));
        Assert.Equal("Corrupted MAC on input.", e.Message);
        Assert.Equal(DisconnectReason.MacError, e.Reason);
        // We told sshd why before closing.
        await fixture.Server.WaitForLogAsync("Corrupted MAC on input.");
    }

    [Fact]
    public async Task Sshd_closing_an_unauthenticated_connection_is_a_connection_error()
    {
        await using var server = await OpenSshServer.StartAsync("LoginGraceTime 1");
        var log = new List<string>();
        await using var transport = await TransportInterop.ConnectAsync(server, log: log);
        await TransportInterop.RequestUserAuthServiceAsync(transport);
        // LoginGraceTime expires: sshd closes the unauthenticated connection.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var e = await Assert.ThrowsAnyAsync<SshException>(async () => await transport.ReceiveAsync(cts.Token));
        Assert.IsType<SshConnectionException>(e);
    }

    /// <remarks>
    /// Neither side may start a rekey before authentication (sshd answers KEXINIT with UNIMPLEMENTED then), so
    /// byte limits wait for USERAUTH_SUCCESS; the full rekey-under-load test needs auth (the connection layer's).
    /// </remarks>
    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", "hmac-sha2-256")]
    [InlineData("aes128-ctr", "umac-64-etm@openssh.com")]
    public async Task Byte_limits_do_not_start_a_rekey_before_authentication(string cipher, string mac)
    {
        var log = new List<string>();
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server, o =>
        {
            o.Ciphers = [cipher];
            o.Macs = [mac];
            o.RekeyBytes = 32 * 1024;
        }, log);
        try
        {
            for (int round = 0; round < 20; round++)
                await TransportInterop.RequestUserAuthServiceAsync(transport, withIgnorePackets: true);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- our log\n{string.Join('\n', log)}\n--- sshd\n{fixture.Server.Log}");
        }
        Assert.Equal(1, transport.KeyExchangeCount);
    }
}
