using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Tests.Connection;

/// <summary>A client and a server SshConnection joined by an in-memory transport, both loops running.</summary>
public sealed class ConnectionPair : IAsyncDisposable
{
    public ConnectionPair(SshChannelOptions? clientOptions = null, SshChannelOptions? serverOptions = null)
    {
        (ClientTransport, ServerTransport) = InMemoryPacketConnection.CreatePair();
        Client = new SshConnection(ClientTransport, clientOptions);
        Server = new SshConnection(ServerTransport, serverOptions);
    }

    public InMemoryPacketConnection ClientTransport { get; }
    public InMemoryPacketConnection ServerTransport { get; }
    public SshConnection Client { get; }
    public SshConnection Server { get; }

    /// <summary>Accepts every "session" on the server and hands it to <paramref name="serve"/> on the thread pool.</summary>
    public ConnectionPair ServeSessions(Func<SshSession, Task> serve)
    {
        Server.ChannelOpenReceived = request =>
        {
            var session = new SshSession(request.Accept());
            _ = Task.Run(() => serve(session));
        };
        return this;
    }

    public ConnectionPair Start()
    {
        Client.Start();
        Server.Start();
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
