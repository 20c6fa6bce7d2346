using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>Our client transport connected to our server transport over a loopback TCP connection.</summary>
internal sealed class TransportPair : IAsyncDisposable
{
    private static readonly Lazy<SshPrivateKey[]> Keys = new(() =>
    [
        SshPrivateKey.Generate("ed25519"),
        SshPrivateKey.Generate("ecdsa", 256),
        SshPrivateKey.Generate("ecdsa", 384),
        SshPrivateKey.Generate("ecdsa", 521),
        SshPrivateKey.Generate("rsa", 2048),
    ]);

    public static IReadOnlyList<SshPrivateKey> HostKeys => Keys.Value;

    public required SshTransport Client { get; init; }
    public required SshTransport Server { get; init; }

    public static async Task<TransportPair> StartAsync(Action<ClientTransportOptions>? client = null, Action<ServerTransportOptions>? server = null)
    {
        var (clientStream, serverStream) = await SocketPairAsync();
        var clientOptions = new ClientTransportOptions
        {
            Host = "pair",
            Port = 22,
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
            HandshakeTimeout = TimeSpan.FromSeconds(30),
        };
        var serverOptions = new ServerTransportOptions { HostKeys = HostKeys, HandshakeTimeout = TimeSpan.FromSeconds(30) };
        client?.Invoke(clientOptions);
        server?.Invoke(serverOptions);
        var serverTask = SshTransport.AcceptServerAsync(serverStream, serverOptions);
        var clientTask = SshTransport.ConnectClientAsync(clientStream, clientOptions);
        try
        {
            await Task.WhenAll(serverTask, clientTask);
        }
        catch
        {
            if (serverTask.IsCompletedSuccessfully)
                await serverTask.Result.DisposeAsync();
            if (clientTask.IsCompletedSuccessfully)
                await clientTask.Result.DisposeAsync();
            throw;
        }
        return new TransportPair { Client = clientTask.Result, Server = serverTask.Result };
    }

    public static async Task<(Stream Client, Stream Server)> SocketPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        var accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await accept;
        server.NoDelay = true;
        return (client.GetStream(), server.GetStream());
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
