using Lucid.Ssh.Keys;
using Lucid.Ssh.Tests.Connection;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>
/// lucid sshd resumes socket reads on the runtime's epoll threads, which serve every connection's reads; the
/// server's key-exchange arithmetic (the shared secret and the host key's signature) must not run there.
/// A server whose read loop runs on a thread of its own over a blocking stream stands in for such a thread.
/// </summary>
public sealed class ServerKexThreadTests
{
    [Fact]
    public async Task The_host_key_signs_on_a_pool_thread_when_the_read_resumed_on_another_thread()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        var recording = new ThreadRecordingKey(key);
        var (clientStream, serverSocket) = await TransportPair.SocketPairAsync();
        // Its own thread: over a blocking stream the server waits for the client's version line inside the call.
        var serverTask = Task.Run(() => SshTransport.AcceptServerAsync(new BlockingTrackedStream(serverSocket), new ServerTransportOptions
        {
            HostKeys = [recording],
            DedicatedReadThread = true,
        }));
        await using var client = await SshTransport.ConnectClientAsync(clientStream, new ClientTransportOptions
        {
            Host = "pair",
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
        });
        await using var server = await serverTask.WaitAsync(ConnectionPair.Timeout());

        Assert.Equal([true], recording.SignedOnPoolThread);
    }

    private sealed class ThreadRecordingKey(SshPrivateKey inner) : SshPrivateKey
    {
        public List<bool> SignedOnPoolThread { get; } = [];

        public override SshPublicKey PublicKey => inner.PublicKey;

        public override byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm)
        {
            lock (SignedOnPoolThread)
                SignedOnPoolThread.Add(Thread.CurrentThread.IsThreadPoolThread);
            return inner.Sign(data, signatureAlgorithm);
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
