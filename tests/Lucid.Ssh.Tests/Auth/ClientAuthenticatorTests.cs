using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Tests.Connection;

namespace Lucid.Ssh.Tests.Auth;

public sealed class ClientAuthenticatorTests
{
    private static readonly Lazy<SshPrivateKey> Rsa = new(() => RsaPrivateKey.Generate(2048));

    private sealed record Run(ScriptedAuthServer Server, Task<bool> Serving, ClientAuthenticator Client, Task Authenticating);

    private static Run Start(Func<InMemoryPacketConnection, ScriptedAuthServer> server, SshClientOptions options,
        IReadOnlyList<SshPrivateKey>? keys = null, ClientAuthContext? context = null)
    {
        var ct = ConnectionPair.Timeout();
        var (clientEnd, serverEnd) = InMemoryPacketConnection.CreatePair();
        var script = server(serverEnd);
        var serving = Task.Run(() => script.RunAsync(ct), ct);
        var client = new ClientAuthenticator(clientEnd, options, context ?? new ClientAuthContext { Host = "testhost" });
        var authenticating = Task.Run(() => client.AuthenticateAsync(keys ?? [], ct), ct);
        return new Run(script, serving, client, authenticating);
    }

    [Fact]
    public async Task Publickey_queries_first_then_signs_with_the_session_id()
    {
        using var key = Ed25519PrivateKey.Generate();
        var run = Start(t => new ScriptedAuthServer(t) { AuthorizedKeys = [key.PublicKey] }, new SshClientOptions { User = "alice" }, [key]);

        await run.Authenticating;

        Assert.True(await run.Serving);
        Assert.Equal("publickey", run.Client.AuthenticatedMethod);
        Assert.Equal(["none", "publickey? ssh-ed25519", "publickey! ssh-ed25519"], run.Server.Log);
    }

    [Fact]
    public async Task Keys_the_server_does_not_know_are_not_signed_and_the_next_key_is_offered()
    {
        using var stranger = EcdsaPrivateKey.Generate(EcdsaCurve.NistP256);
        using var known = EcdsaPrivateKey.Generate(EcdsaCurve.NistP384);
        var run = Start(t => new ScriptedAuthServer(t) { AuthorizedKeys = [known.PublicKey] }, new SshClientOptions(), [stranger, known]);

        await run.Authenticating;

        Assert.Equal(["none", "publickey? ecdsa-sha2-nistp256", "publickey? ecdsa-sha2-nistp384", "publickey! ecdsa-sha2-nistp384"], run.Server.Log);
    }

    [Theory]
    [InlineData("ssh-ed25519,rsa-sha2-256,rsa-sha2-512", "rsa-sha2-512")]
    [InlineData("ssh-ed25519,rsa-sha2-256", "rsa-sha2-256")]
    public async Task Rsa_signature_algorithm_follows_server_sig_algs(string serverSigAlgs, string expected)
    {
        var run = Start(t => new ScriptedAuthServer(t)
        {
            AuthorizedKeys = [Rsa.Value.PublicKey],
            ServerSigAlgs = serverSigAlgs,
            AcceptedSignatureAlgorithms = [expected],
        }, new SshClientOptions(), [Rsa.Value]);

        await run.Authenticating;

        Assert.Equal(["none", $"publickey? {expected}", $"publickey! {expected}"], run.Server.Log);
    }

    [Fact]
    public async Task Server_sig_algs_from_the_transport_take_precedence()
    {
        var context = new ClientAuthContext { Host = "h", ServerSignatureAlgorithms = () => ["rsa-sha2-256"] };
        var run = Start(t => new ScriptedAuthServer(t) { AuthorizedKeys = [Rsa.Value.PublicKey], ServerSigAlgs = "rsa-sha2-512" },
            new SshClientOptions(), [Rsa.Value], context);

        await run.Authenticating;

        Assert.Equal(["none", "publickey? rsa-sha2-256", "publickey! rsa-sha2-256"], run.Server.Log);
    }

    [Fact]
    public async Task Password_is_asked_again_after_a_wrong_one_with_openssh_prompt()
    {
        var prompts = new List<SshPasswordPrompt>();
        var answers = new Queue<string>(["wrong", "secret"]);
        var options = new SshClientOptions
        {
            User = "alice",
            PasswordCallback = (p, _) => { prompts.Add(p); return ValueTask.FromResult<string?>(answers.Dequeue()); },
        };
        var run = Start(t => new ScriptedAuthServer(t) { Chains = [["password"]] }, options);

        await run.Authenticating;

        Assert.Equal("password", run.Client.AuthenticatedMethod);
        Assert.Equal([new SshPasswordPrompt("alice", "testhost", "alice@testhost's password: ", 1),
                      new SshPasswordPrompt("alice", "testhost", "alice@testhost's password: ", 2)], prompts);
    }

    [Fact]
    public async Task Expired_password_goes_through_the_change_dialogue()
    {
        SshPasswordChangeRequest? asked = null;
        var options = new SshClientOptions
        {
            Password = "secret",
            PasswordChangeCallback = (r, _) => { asked = r; return ValueTask.FromResult<SshPasswordChange?>(new("secret", "n3w")); },
        };
        var run = Start(t => new ScriptedAuthServer(t) { Chains = [["password"]], PasswordExpired = true }, options);

        await run.Authenticating;

        Assert.Equal("Password expired, choose a new one", asked!.Prompt);
        Assert.Equal(["none", "password", "password-change"], run.Server.Log);
        Assert.Equal("n3w", run.Server.Password);
    }

    [Fact]
    public async Task Keyboard_interactive_passes_prompts_with_echo_flags()
    {
        SshKeyboardInteractiveRequest? seen = null;
        var options = new SshClientOptions
        {
            KeyboardInteractiveCallback = (r, _) => { seen = r; return ValueTask.FromResult<IReadOnlyList<string>?>(["bob", "hunter2"]); },
        };
        var run = Start(t => new ScriptedAuthServer(t)
        {
            Chains = [["keyboard-interactive"]],
            KeyboardPrompts = [("Login: ", true), ("Password: ", false)],
            KeyboardAnswers = ["bob", "hunter2"],
        }, options);

        await run.Authenticating;

        Assert.Equal("keyboard-interactive", run.Client.AuthenticatedMethod);
        Assert.Equal("PAM", seen!.Name);
        Assert.Equal("Answer please", seen.Instruction);
        Assert.Equal([new SshKeyboardInteractivePrompt("Login: ", true), new SshKeyboardInteractivePrompt("Password: ", false)], seen.Prompts);
    }

    [Fact]
    public async Task Chained_methods_continue_after_partial_success()
    {
        using var key = Ed25519PrivateKey.Generate();
        var run = Start(t => new ScriptedAuthServer(t) { Chains = [["publickey", "password"]], AuthorizedKeys = [key.PublicKey] },
            new SshClientOptions { Password = "secret" }, [key]);

        await run.Authenticating;

        Assert.True(await run.Serving);
        Assert.Equal("password", run.Client.AuthenticatedMethod);
        Assert.Equal(["none", "publickey? ssh-ed25519", "publickey! ssh-ed25519", "password"], run.Server.Log);
    }

    [Fact]
    public async Task Nothing_works_gives_openssh_permission_denied_with_the_servers_last_list()
    {
        using var key = Ed25519PrivateKey.Generate();
        var run = Start(t => new ScriptedAuthServer(t) { Chains = [["publickey"], ["password"]] },
            new SshClientOptions { PasswordCallback = (_, _) => ValueTask.FromResult<string?>("nope") }, [key]);

        var error = await Assert.ThrowsAsync<SshAuthenticationException>(() => run.Authenticating);

        Assert.Equal("Permission denied (publickey,password).", error.Message);
        Assert.Equal(["publickey", "password"], error.AllowedMethods);
        Assert.Equal(["none", "publickey? ssh-ed25519", "password", "password", "password"], run.Server.Log);
    }

    [Fact]
    public async Task Banner_is_shown_and_success_hook_runs()
    {
        string? banner = null;
        bool hooked = false;
        var run = Start(t => new ScriptedAuthServer(t) { Chains = [["password"]], Banner = "Authorized users only\n" },
            new SshClientOptions { Password = "secret", BannerCallback = b => banner = b },
            context: new ClientAuthContext { Host = "h", Authenticated = () => hooked = true });

        await run.Authenticating;

        Assert.Equal("Authorized users only\n", banner);
        Assert.True(hooked);
    }
}
