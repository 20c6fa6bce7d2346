using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Tests.Connection;
using Lucid.Ssh.Tests.Server;

namespace Lucid.Ssh.Tests.Client;

/// <summary>Every failure that ends a connection names its stage and cause, and the observer sees the stages go by.</summary>
public sealed class FailureStageTests
{
    private static readonly SshPrivateKey UserKey = SshPrivateKey.Generate("ed25519");

    private sealed class RecordingObserver : ISshStageObserver
    {
        public List<string> Events { get; } = [];
        public void Started(SshStage stage) { lock (Events) Events.Add($"start {stage}"); }
        public void Completed(SshStage stage) { lock (Events) Events.Add($"done {stage}"); }
        public void Failed(SshStage stage, SshException error) { lock (Events) Events.Add($"failed {stage}: {error.Cause?.GetType().Name}"); }
    }

    private sealed class KeyOnlyStore : ISshServerAuthentication
    {
        public ValueTask<SshServerUser?> FindUserAsync(string userName, SshServerAuthContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<SshServerUser?>(new SshServerUser(userName, 1000, 1000, "/nonexistent", "", []));
        public ValueTask<AuthorizedKeysOptions?> AuthorizePublicKeyAsync(SshServerUser user, SshPublicKey key, SshServerAuthContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(key.Equals(UserKey.PublicKey) ? AuthorizedKeysOptions.None : null);
        public bool PasswordsSupported => false;
        public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, SshServerAuthContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(false);
    }

    private static SshServerOptions Server(string config = "") => new()
    {
        Config = SshdConfig.Parse(config),
        HostKeys = [InMemorySshPair.HostKey],
        Authentication = new KeyOnlyStore(),
    };

    private static SshClientOptions Client(RecordingObserver observer, bool withKey = true)
    {
        var options = new SshClientOptions { User = "bob", Observer = observer };
        if (withKey)
            options.Signers.Add(UserKey);
        return options;
    }

    [Fact]
    public async Task Observer_sees_each_stage_of_a_successful_connection_in_order()
    {
        var observer = new RecordingObserver();
        await using var pair = await InMemorySshPair.ConnectAsync(Server(), Client(observer), ConnectionPair.Timeout());

        Assert.Equal(["start Version", "done Version", "start Kex", "start HostKey", "done HostKey", "done Kex", "start Auth", "done Auth"],
            observer.Events);
    }

    [Fact]
    public async Task Refused_host_key_fails_at_the_host_key_stage()
    {
        var observer = new RecordingObserver();
        var options = Client(observer);
        options.HostKeyVerifier = (_, _) => ValueTask.FromResult(false);

        var e = await Assert.ThrowsAsync<Lucid.Ssh.Transport.SshHostKeyVerificationException>(() =>
            InMemorySshPair.ConnectAsync(Server(), options, ConnectionPair.Timeout()));

        Assert.Equal(SshStage.HostKey, e.Stage);
        Assert.Equal(InMemorySshPair.HostKey.PublicKey, Assert.IsType<SshFailureCause.HostKeyRejected>(e.Cause).HostKey);
        Assert.Equal("failed HostKey: HostKeyRejected", observer.Events[^1]);
    }

    [Fact]
    public async Task No_common_cipher_names_kind_and_both_offers()
    {
        var observer = new RecordingObserver();
        var options = Client(observer);
        options.Ciphers = ["aes128-ctr"];

        var e = await Assert.ThrowsAsync<SshProtocolException>(() =>
            InMemorySshPair.ConnectAsync(Server("Ciphers aes256-gcm@openssh.com"), options, ConnectionPair.Timeout()));

        Assert.Equal(SshStage.Kex, e.Stage);
        var cause = Assert.IsType<SshFailureCause.NoCommonAlgorithm>(e.Cause);
        Assert.Equal(("cipher", "aes128-ctr", "aes256-gcm@openssh.com"), (cause.Kind, string.Join(',', cause.Ours), string.Join(',', cause.Theirs)));
        Assert.Equal("no matching cipher found. Their offer: aes256-gcm@openssh.com", e.Message);
    }

    [Fact]
    public async Task Exhausted_authentication_lists_the_methods_left()
    {
        var observer = new RecordingObserver();

        var e = await Assert.ThrowsAsync<SshAuthenticationException>(() =>
            InMemorySshPair.ConnectAsync(Server(), Client(observer, withKey: false), ConnectionPair.Timeout()));

        Assert.Equal(SshStage.Auth, e.Stage);
        Assert.Equal(["publickey"], Assert.IsType<SshFailureCause.AuthExhausted>(e.Cause).MethodsLeft);
        Assert.Equal("failed Auth: AuthExhausted", observer.Events[^1]);
    }

    [Fact]
    public async Task Refused_tcp_connection_fails_at_the_tcp_stage()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var observer = new RecordingObserver();
        var options = Client(observer);
        options.HostKeyVerifier = (_, _) => ValueTask.FromResult(true);

        var e = await Assert.ThrowsAsync<SshConnectionException>(() => SshClient.ConnectAsync("127.0.0.1", port, options, ConnectionPair.Timeout()));

        Assert.Equal(SshStage.Tcp, e.Stage);
        Assert.IsType<SshFailureCause.ConnectFailed>(e.Cause);
        Assert.Equal($"connect to host 127.0.0.1 port {port}: Connection refused", e.Message);
        Assert.Equal(["start Dns", "done Dns", "start Tcp", "failed Tcp: ConnectFailed"], observer.Events);
    }

    [Fact]
    public async Task Peer_closing_before_its_identification_fails_at_the_version_stage()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closer = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
        });
        var options = Client(new RecordingObserver());
        options.HostKeyVerifier = (_, _) => ValueTask.FromResult(true);

        var e = await Assert.ThrowsAsync<SshConnectionException>(() =>
            SshClient.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, options, ConnectionPair.Timeout()));
        await closer;

        Assert.Equal(SshStage.Version, e.Stage);
        Assert.IsType<SshFailureCause.ConnectionClosed>(e.Cause);
    }
}
