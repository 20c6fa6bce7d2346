using System.Globalization;
using System.Net;
using Lucid.Interop.Tests.Sshd;
using Lucid.Interop.Tests.Sshd.OtherClients;
using Renci.SshNet;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// PuTTY's plink and SSH.NET forwarding through `lucid sshd`: -L / ForwardedPortLocal (direct-tcpip) and -R /
/// ForwardedPortRemote (tcpip-forward, then forwarded-tcpip back to the client), the data checked by SHA-256 both ways
/// against an echo service. One server for the class; its default authorized_keys admit every client key type.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OtherClientsForwardingTests(ForwardingServerFixture fixture) : IClassFixture<ForwardingServerFixture>
{
    private const int ProbeSize = 3 * 1024 * 1024;
    private LucidSshd Server => fixture.Server;
    private EchoTarget Echo => fixture.Echo;

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(50)).Token;

    [Fact]
    public async Task Plink_local_forward_carries_data_both_ways()
    {
        using var scratch = new Scratch();
        var local = EchoTarget.FreePort();
        await using var plink = await StartPlinkAsync(scratch, "-L", $"127.0.0.1:{local}:127.0.0.1:{Echo.Port}");

        var (sent, received) = await ProbeAsync(plink, local);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Plink_remote_forward_carries_data_both_ways()
    {
        using var scratch = new Scratch();
        var remote = EchoTarget.FreePort();
        await using var plink = await StartPlinkAsync(scratch, "-R", $"127.0.0.1:{remote}:127.0.0.1:{Echo.Port}");

        var (sent, received) = await ProbeAsync(plink, remote);

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task SshNet_local_forward_carries_data_both_ways()
    {
        using var client = ConnectSshNet();
        var local = EchoTarget.FreePort();
        using var forward = new ForwardedPortLocal("127.0.0.1", (uint)local, "127.0.0.1", (uint)Echo.Port);
        var errors = new System.Text.StringBuilder();
        forward.Exception += (_, e) => errors.AppendLine(e.Exception.ToString());
        client.ErrorOccurred += (_, e) => errors.AppendLine(e.Exception.ToString());
        client.AddForwardedPort(forward);
        forward.Start();

        var (sent, received) = await EchoTarget.ProbeWithoutHalfCloseAsync(local, ProbeSize, Timeout());

        Assert.True(sent == received, errors + Server.Log);
        forward.Stop();
    }

    [Fact]
    public async Task SshNet_remote_forward_carries_data_both_ways_and_its_listener_closes_when_stopped()
    {
        var ct = Timeout();
        using var client = ConnectSshNet();
        var remote = EchoTarget.FreePort();
        using var forward = new ForwardedPortRemote(IPAddress.Loopback, (uint)remote, IPAddress.Loopback, (uint)Echo.Port);
        Exception? failure = null;
        forward.Exception += (_, e) => failure = e.Exception;
        client.AddForwardedPort(forward);
        // Start waits for the server's reply to tcpip-forward, so the listener is up once it returns.
        forward.Start();
        Assert.Null(failure);
        Assert.False(EchoTarget.Refuses(remote));

        var (sent, received) = await EchoTarget.ProbeWithoutHalfCloseAsync(remote, ProbeSize, ct);
        Assert.True(sent == received, Server.Log);

        // Stop sends cancel-tcpip-forward: lucid sshd closes that listener while the connection stays up.
        forward.Stop();
        while (!EchoTarget.Refuses(remote))
            await Task.Delay(50, ct);
        Assert.True(client.IsConnected);
    }

    /// <summary>plink -N (no command) in batch mode, its host key pinned, with the forwarding <paramref name="options"/>.</summary>
    private async Task<RunningProcess> StartPlinkAsync(Scratch scratch, params string[] options)
    {
        var ppk = scratch.Path("id_ed25519.ppk");
        var convert = await ProcessRunner.RunAsync("puttygen", [Server.ClientKeyPath("ed25519"), "-O", "private", "-o", ppk]);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        return RunningProcess.Start("plink",
        [
            "-ssh", "-batch", "-N", "-v", .. options, "-P", Server.Port.ToString(CultureInfo.InvariantCulture), "-i", ppk,
            "-hostkey", Scratch.Fingerprint(Server.HostKeyPath("ed25519") + ".pub"), $"{LucidSshd.TestUser}@127.0.0.1",
        ], scratch.HomeEnvironment);
    }

    /// <summary>The echo probe through a plink tunnel, with plink's log in the message when it does not get through.</summary>
    private static async Task<(string Sent, string Received)> ProbeAsync(RunningProcess plink, int port)
    {
        try
        {
            return await EchoTarget.ProbeAsync(port, ProbeSize, Timeout());
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"no tunnel on port {port}; plink said:\n{plink.Output}", e);
        }
    }

    /// <summary>An SSH.NET client logged in with the ed25519 key, trusting only lucid sshd's ed25519 host key.</summary>
    private SshClient ConnectSshNet()
    {
        var expectedHostKey = Convert.FromBase64String(Scratch.PublicKey(Server.HostKeyPath("ed25519") + ".pub").Split(' ')[1]);
        using var key = new PrivateKeyFile(Server.ClientKeyPath("ed25519"));
        var connection = new ConnectionInfo("127.0.0.1", Server.Port, LucidSshd.TestUser, new PrivateKeyAuthenticationMethod(LucidSshd.TestUser, key))
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        foreach (var name in connection.HostKeyAlgorithms.Keys.Where(k => k != "ssh-ed25519").ToList())
            connection.HostKeyAlgorithms.Remove(name);
        var client = new SshClient(connection);
        client.HostKeyReceived += (_, e) => e.CanTrust = e.HostKey.AsSpan().SequenceEqual(expectedHostKey);
        client.Connect();
        return client;
    }
}
