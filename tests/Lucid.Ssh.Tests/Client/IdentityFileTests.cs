using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Tests.Auth;
using Lucid.Ssh.Tests.Connection;

namespace Lucid.Ssh.Tests.Client;

public sealed class IdentityFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lucid-identities-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteKey(string name, SshPrivateKey key, string? passphrase)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, OpenSshPrivateKeyFormat.Write(key, passphrase));
        // 0600 as ssh-keygen writes it: the client refuses key files others can read, as ssh does.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static async Task<(bool Served, ScriptedAuthServer Script, Exception? Error)> RunAsync(SshClientOptions options, SshPublicKey authorized)
    {
        var ct = ConnectionPair.Timeout();
        var (clientEnd, serverEnd) = InMemoryPacketConnection.CreatePair();
        var script = new ScriptedAuthServer(serverEnd) { Chains = [["publickey"]], AuthorizedKeys = [authorized] };
        var serving = Task.Run(() => script.RunAsync(ct), ct);
        try
        {
            await using var client = await SshClient.ConnectAsync(clientEnd, options, new ClientAuthContext { Host = "h" }, ct);
            return (await serving, script, null);
        }
        catch (SshException ex)
        {
            return (false, script, ex);
        }
    }

    [Fact]
    public async Task Passphrase_is_asked_only_for_the_key_the_server_accepts()
    {
        using var stranger = Ed25519PrivateKey.Generate();
        using var known = EcdsaPrivateKey.Generate(EcdsaCurve.NistP256);
        var asked = new List<string>();
        var options = new SshClientOptions
        {
            PassphraseCallback = (file, _) => { asked.Add(Path.GetFileName(file)); return ValueTask.FromResult<string?>("open sesame"); },
        };
        options.IdentityFiles.Add(Path.Combine(_directory, "id_missing"));
        options.IdentityFiles.Add(WriteKey("id_stranger", stranger, "open sesame"));
        options.IdentityFiles.Add(WriteKey("id_known", known, "open sesame"));

        var (served, script, error) = await RunAsync(options, known.PublicKey);

        Assert.Null(error);
        Assert.True(served);
        Assert.Equal(["id_known"], asked);
        Assert.Equal(["none", "publickey? ssh-ed25519", "publickey? ecdsa-sha2-nistp256", "publickey! ecdsa-sha2-nistp256"], script.Log);
    }

    [Fact]
    public async Task Wrong_passphrase_three_times_skips_the_key()
    {
        using var known = Ed25519PrivateKey.Generate();
        int asked = 0;
        var options = new SshClientOptions { PassphraseCallback = (_, _) => { asked++; return ValueTask.FromResult<string?>("wrong"); } };
        options.IdentityFiles.Add(WriteKey("id_known", known, "right"));

        var (_, script, error) = await RunAsync(options, known.PublicKey);

        Assert.Equal(3, asked);
        Assert.Equal("Permission denied (publickey).", error?.Message);
        Assert.Equal(["none", "publickey? ssh-ed25519"], script.Log);
    }

    [Fact]
    public async Task Unencrypted_files_load_and_corrupt_files_are_skipped()
    {
        using var known = Ed25519PrivateKey.Generate();
        var corrupt = Path.Combine(_directory, "id_corrupt");
        File.WriteAllText(corrupt, "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        var options = new SshClientOptions();
        options.IdentityFiles.Add(corrupt);
        options.IdentityFiles.Add(WriteKey("id_known", known, null));

        var (served, _, error) = await RunAsync(options, known.PublicKey);

        Assert.Null(error);
        Assert.True(served);
    }
}
