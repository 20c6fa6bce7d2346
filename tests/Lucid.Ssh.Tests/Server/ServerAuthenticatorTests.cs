using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Tests.Connection;

namespace Lucid.Ssh.Tests.Server;

/// <summary>The server's authentication pipeline against Lucid's own client over an in-memory transport.</summary>
public sealed class ServerAuthenticatorTests
{
    private static readonly SshPrivateKey AliceKey = SshPrivateKey.Generate("ssh-ed25519");
    private static readonly SshPrivateKey OtherKey = SshPrivateKey.Generate("ssh-ed25519");

    private sealed class FakeBackend(string authorizedKeys) : ISshServerBackend
    {
        public int PasswordChecks;

        public SshServerUser? FindUser(string name) =>
            name == "alice" ? new SshServerUser("alice", 1000, 1000, "/home/alice", "/bin/sh", ["alice", "staff"]) : null;

        public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log) =>
            path == "/home/alice/.ssh/authorized_keys" ? authorizedKeys : null;

        public bool PasswordsSupported => true;

        public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref PasswordChecks);
            return new(password == "secret");
        }

        public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private static Task<(Task<ServerAuthResult> Server, Task<SshClient> Client)> RunAsync(string config, SshClientOptions client,
        string? authorizedKeys = null)
    {
        var (clientEnd, serverEnd) = InMemoryPacketConnection.CreatePair();
        var options = new SshServerOptions
        {
            Config = SshdConfig.Parse(config),
            HostKeys = [],
            Backend = new FakeBackend(authorizedKeys ?? AliceKey.PublicKey.ToLine()),
        };
        var authenticator = new ServerAuthenticator(serverEnd, options, options.Config, new ServerClientInfo("127.0.0.1", 50000, "127.0.0.1", 22));
        var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var server = Task.Run(async () =>
        {
            try
            {
                return await authenticator.RunAsync(cts.Token);
            }
            catch (SshException)
            {
                // What SshServerConnection does with a failed authentication: tell the client and hang up.
                await serverEnd.DisposeAsync();
                throw;
            }
        });
        var connecting = SshClient.ConnectAsync(clientEnd, client, new ClientAuthContext { Host = "testhost" }, cts.Token);
        return Task.FromResult((server, connecting));
    }

    private static SshClientOptions Client(string user = "alice", SshPrivateKey? key = null, string? password = null)
    {
        var o = new SshClientOptions { User = user, Password = password, NumberOfPasswordPrompts = 1, PreferredAuthentications = ["publickey", "password"] };
        if (key is not null)
            o.Identities.Add(key);
        return o;
    }

    [Fact]
    public async Task Publickey_with_an_authorized_key_succeeds_and_carries_its_options()
    {
        var (server, client) = await RunAsync("", Client(key: AliceKey), $"command=\"id\",no-pty {AliceKey.PublicKey.ToLine()}");
        var result = await server;
        Assert.Equal("publickey", result.Method);
        Assert.Equal("id", result.KeyOptions.ForceCommand);
        Assert.False(result.KeyOptions.PermitPty);
        Assert.Equal("publickey", (await client).AuthenticatedMethod);
    }

    [Fact]
    public async Task An_unauthorized_key_falls_back_to_password()
    {
        var (server, client) = await RunAsync("", Client(key: OtherKey, password: "secret"));
        Assert.Equal("password", (await server).Method);
        Assert.Equal("password", (await client).AuthenticatedMethod);
    }

    [Fact]
    public async Task AuthenticationMethods_needs_every_method_of_a_list()
    {
        var (server, client) = await RunAsync("AuthenticationMethods publickey,password\n", Client(key: AliceKey, password: "secret"));
        Assert.Equal("password", (await server).Method);
        Assert.NotNull(await client);
    }

    [Fact]
    public async Task An_invalid_user_sees_the_same_methods_and_no_password_is_checked()
    {
        var (server, client) = await RunAsync("", Client(user: "mallory", password: "secret"));
        var e = await Assert.ThrowsAsync<SshAuthenticationException>(() => client);
        Assert.Equal("Permission denied (publickey,password,keyboard-interactive).", e.Message);
        Assert.False(server.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task MaxAuthTries_disconnects_with_too_many_authentication_failures()
    {
        var options = Client(password: "wrong");
        options.NumberOfPasswordPrompts = 10;
        options.PasswordCallback = (_, _) => new("wrong");
        var (server, client) = await RunAsync("MaxAuthTries 2\n", options);
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => server);
        Assert.Equal("Too many authentication failures", e.Message);
        await Assert.ThrowsAnyAsync<SshException>(() => client);
    }

    [Fact]
    public async Task Root_with_a_password_is_refused_by_default()
    {
        var (clientEnd, serverEnd) = InMemoryPacketConnection.CreatePair();
        var backend = new RootBackend();
        var options = new SshServerOptions { Config = SshdConfig.Parse(""), HostKeys = [], Backend = backend };
        var authenticator = new ServerAuthenticator(serverEnd, options, options.Config, new ServerClientInfo("127.0.0.1", 50000, "127.0.0.1", 22));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var server = Task.Run(() => authenticator.RunAsync(cts.Token));
        var client = SshClient.ConnectAsync(clientEnd, Client(user: "root", password: "secret"), new ClientAuthContext { Host = "h" }, cts.Token);
        await Assert.ThrowsAsync<SshAuthenticationException>(() => client);
    }

    private sealed class RootBackend : ISshServerBackend
    {
        public SshServerUser? FindUser(string name) => name == "root" ? new SshServerUser("root", 0, 0, "/root", "/bin/sh", ["root"]) : null;
        public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log) => null;
        public bool PasswordsSupported => true;
        public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken) => new(true);
        public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
