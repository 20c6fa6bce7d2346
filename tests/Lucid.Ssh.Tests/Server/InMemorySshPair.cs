using System.Net;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Server;

namespace Lucid.Ssh.Tests.Server;

/// <summary>
/// An <see cref="SshServer"/> and an <see cref="SshClient"/> in one process over an in-memory duplex stream:
/// the same transport (version exchange, KEX, encryption, the transport's own read and write loops), the same
/// authentication and the same server connection code as over TCP; only the socket is missing.
/// </summary>
internal sealed class InMemorySshPair : IAsyncDisposable
{
    private readonly Task _serving;
    private readonly CancellationTokenSource _stop;

    private InMemorySshPair(SshServer server, SshClient client, Task serving, CancellationTokenSource stop)
    {
        Server = server;
        Client = client;
        _serving = serving;
        _stop = stop;
    }

    public SshServer Server { get; }
    public SshClient Client { get; }

    /// <summary>Connects <paramref name="clientOptions"/> to a server run with <paramref name="serverOptions"/>; the host key is pinned.</summary>
    public static async Task<InMemorySshPair> ConnectAsync(SshServerOptions serverOptions, SshClientOptions clientOptions,
        CancellationToken cancellationToken)
    {
        var (clientStream, serverStream) = InMemoryDuplexStream.CreatePair();
        var server = new SshServer(serverOptions);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serving = server.HandleConnectionAsync(serverStream, new IPEndPoint(IPAddress.Loopback, 50022),
            new IPEndPoint(IPAddress.Loopback, 22), stop.Token);
        var hostKeys = serverOptions.HostKeys.Select(k => k.PublicKey).ToList();
        clientOptions.HostKeyVerifier ??= (context, _) => ValueTask.FromResult(hostKeys.Any(k => k.Equals(context.HostKey)));
        try
        {
            var client = await SshClient.ConnectAsync(clientStream, "in-memory", 22, clientOptions, cancellationToken);
            return new InMemorySshPair(server, client, serving, stop);
        }
        catch
        {
            stop.Cancel();
            await serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await server.DisposeAsync();
            throw;
        }
    }

    public static SshPrivateKey HostKey { get; } = SshPrivateKey.Generate("ed25519");

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Cancel();
        _stop.Dispose();
        await Server.DisposeAsync();
    }
}
