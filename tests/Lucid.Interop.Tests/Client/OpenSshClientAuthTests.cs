using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Keys;

namespace Lucid.Interop.Tests.Client;

/// <summary>Our SshClient's authentication against OpenSSH's sshd.</summary>
[Collection(OpenSshCollection.Name)]
public sealed class OpenSshClientAuthTests(OpenSshServerFixture fixture)
{
    private OpenSshServer Server => fixture.Server;

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa256")]
    [InlineData("ecdsa384")]
    [InlineData("ecdsa521")]
    [InlineData("rsa")]
    public async Task Publickey_with_each_key_type(string keyType)
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server, keyType), ct);

        var result = await client.RunCommandAsync("echo $USER", ct);

        Assert.Equal("publickey", client.AuthenticatedMethod);
        Assert.Equal((Server.User + "\n", 0), (result.StandardOutput, result.ExitCode));
    }

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public async Task Rsa_key_signs_with_the_sha2_algorithm_sshd_accepts(string algorithm)
    {
        var ct = ClientInterop.Timeout();
        await using var server = await OpenSshServer.StartAsync($"PubkeyAcceptedAlgorithms {algorithm}");
        var options = ClientInterop.Options(server, "rsa");
        options.PubkeyAcceptedAlgorithms = [algorithm];

        await using var client = await ClientInterop.ConnectAsync(server, options, ct);

        Assert.Equal("publickey", client.AuthenticatedMethod);
        await server.WaitForLogAsync($"Accepted publickey for {server.User} from 127.0.0.1");
        Assert.Contains($"ssh2: RSA SHA256:", server.Log);
    }

    [Fact]
    public async Task Unknown_key_only_gives_openssh_permission_denied()
    {
        var ct = ClientInterop.Timeout();
        await using var server = await OpenSshServer.StartAsync("PasswordAuthentication no", "KbdInteractiveAuthentication no");
        var options = ClientInterop.Options(server, keyType: null);
        options.Identities.Add(Ed25519PrivateKey.Generate());

        var error = await Assert.ThrowsAsync<SshAuthenticationException>(() => ClientInterop.ConnectAsync(server, options, ct));

        Assert.Equal("Permission denied (publickey).", error.Message);
    }

    [Fact]
    public async Task Password_via_pam_for_a_user_the_test_creates()
    {
        var ct = ClientInterop.Timeout();
        await TestUser.EnsureAsync();
        await using var server = await OpenSshServer.StartAsync("UsePAM yes", "PasswordAuthentication yes", "KbdInteractiveAuthentication no");
        var prompts = new List<string>();
        var options = ClientInterop.Options(server, keyType: null);
        options.User = TestUser.Name;
        options.PasswordCallback = (p, _) =>
        {
            prompts.Add(p.Prompt);
            return ValueTask.FromResult<string?>(p.Attempt == 1 ? "wrong password" : TestUser.Password);
        };

        await using var client = await ClientInterop.ConnectAsync(server, options, ct);
        var result = await client.RunCommandAsync("id -un", ct);

        Assert.Equal("password", client.AuthenticatedMethod);
        Assert.Equal(TestUser.Name + "\n", result.StandardOutput);
        Assert.Equal([$"{TestUser.Name}@127.0.0.1's password: ", $"{TestUser.Name}@127.0.0.1's password: "], prompts);
    }

    [Fact]
    public async Task Keyboard_interactive_via_pam_answers_the_password_prompt()
    {
        var ct = ClientInterop.Timeout();
        await TestUser.EnsureAsync();
        await using var server = await OpenSshServer.StartAsync("UsePAM yes", "PasswordAuthentication no", "KbdInteractiveAuthentication yes");
        var seen = new List<SshKeyboardInteractiveRequest>();
        var options = ClientInterop.Options(server, keyType: null);
        options.User = TestUser.Name;
        options.KeyboardInteractiveCallback = (request, _) =>
        {
            seen.Add(request);
            return ValueTask.FromResult<IReadOnlyList<string>?>(request.Prompts.Select(_ => TestUser.Password).ToArray());
        };

        await using var client = await ClientInterop.ConnectAsync(server, options, ct);

        Assert.Equal("keyboard-interactive", client.AuthenticatedMethod);
        var prompt = Assert.Single(seen.SelectMany(r => r.Prompts));
        Assert.Equal(new SshKeyboardInteractivePrompt("Password: ", false), prompt);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Chained_publickey_then_password()
    {
        var ct = ClientInterop.Timeout();
        await TestUser.EnsureAsync();
        await using var readable = await OpenSshServer.StartAsync($"AuthorizedKeysFile {TestUser.ReadableAuthorizedKeys(Server)}",
            "UsePAM yes", "PasswordAuthentication yes", "AuthenticationMethods publickey,password");
        var options = ClientInterop.Options(readable, "ed25519");
        options.User = TestUser.Name;
        options.Password = TestUser.Password;

        await using var client = await ClientInterop.ConnectAsync(readable, options, ct);

        Assert.Equal("password", client.AuthenticatedMethod);
        await readable.WaitForLogAsync($"Accepted password for {TestUser.Name}");
        Assert.Contains($"Partial publickey for {TestUser.Name}", readable.Log);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Chained_methods_fail_with_the_remaining_method_listed()
    {
        var ct = ClientInterop.Timeout();
        await TestUser.EnsureAsync();
        await using var readable = await OpenSshServer.StartAsync($"AuthorizedKeysFile {TestUser.ReadableAuthorizedKeys(Server)}",
            "UsePAM yes", "PasswordAuthentication yes", "AuthenticationMethods publickey,password");
        var options = ClientInterop.Options(readable, "ed25519");
        options.User = TestUser.Name;
        options.PasswordCallback = (_, _) => ValueTask.FromResult<string?>("wrong");

        var error = await Assert.ThrowsAsync<SshAuthenticationException>(() => ClientInterop.ConnectAsync(readable, options, ct));

        Assert.Equal("Permission denied (password).", error.Message);
    }
}
