using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// The prompts `lucid ssh` asks on the terminal — an unknown host key, a key's passphrase — answered in
/// tmux, with OpenSSH's ssh run the same way as the reference for every character on the screen.
/// </summary>
public sealed class PromptTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("lucid-prompt-").FullName;
        // An encrypted key of our own, authorized first (sshd keeps the first AuthorizedKeysFile).
        await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "sesame", "-C", "prompt-test", "-f", Path.Combine(_dir, "id_locked")]);
        File.Copy(Path.Combine(_dir, "id_locked.pub"), Path.Combine(_dir, "authorized_keys"));
        _server = await OpenSshServer.StartAsync("LogLevel INFO", $"AuthorizedKeysFile {_dir}/authorized_keys");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string[] Args(string knownHosts, string identity, params string[] extra) =>
    [
        "-F", "/dev/null", "-p", _server.Port.ToString(), "-i", identity, "-o", "UserKnownHostsFile=" + knownHosts,
        "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
        .. extra, "-l", _server.User, "127.0.0.1", "echo", "logged-in",
    ];

    private async Task<((string Screen, int ExitCode) Real, (string Screen, int ExitCode) Ours)> BothAsync(
        Func<string, string[]> args, params (string, string)[] dialogue)
    {
        var realHosts = Path.Combine(_dir, $"kh-real-{Guid.NewGuid():N}");
        var ourHosts = Path.Combine(_dir, $"kh-ours-{Guid.NewGuid():N}");
        var real = await TmuxTerminal.RunDialogueAsync("ssh", args(realHosts), dialogue);
        var ours = await TmuxTerminal.RunDialogueAsync(Lucid.Executable, ["ssh", .. args(ourHosts)], dialogue);
        if (File.Exists(realHosts))
            Assert.Equal(File.ReadAllText(realHosts), File.ReadAllText(ourHosts));
        return (real, ours);
    }

    private string Fingerprint()
    {
        var blob = Convert.FromBase64String(File.ReadAllText(_server.HostKeyPath("ed25519") + ".pub").Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('=');
    }

    private string AskText => $"The authenticity of host '[127.0.0.1]:{_server.Port} ([127.0.0.1]:{_server.Port})' can't be established.\n" +
        $"ED25519 key fingerprint is {Fingerprint()}.\nThis key is not known by any other names.\n" +
        "Are you sure you want to continue connecting (yes/no/[fingerprint])? ";

    [Fact]
    public async Task Unknown_host_asks_and_yes_records_the_key()
    {
        var key = _server.ClientKeyPath("ed25519");
        File.AppendAllText(Path.Combine(_dir, "authorized_keys"), File.ReadAllText(key + ".pub"));
        var (real, ours) = await BothAsync(kh => Args(kh, key), (AskText, "yes"));
        Assert.StartsWith(AskText + "yes\nWarning: Permanently added", real.Screen);
        Assert.Equal(0, real.ExitCode);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Yes_at_the_prompt_with_HashKnownHosts_records_a_hashed_line_OpenSSH_finds()
    {
        var key = _server.ClientKeyPath("ed25519");
        File.AppendAllText(Path.Combine(_dir, "authorized_keys"), File.ReadAllText(key + ".pub"));
        var knownHosts = Path.Combine(_dir, $"kh-hashed-{Guid.NewGuid():N}");
        var ours = await TmuxTerminal.RunDialogueAsync(Lucid.Executable, ["ssh", .. Args(knownHosts, key, "-o", "HashKnownHosts=yes")],
            (AskText, "yes"));
        Assert.Equal(0, ours.ExitCode);
        var line = Assert.Single(File.ReadAllLines(knownHosts));
        Assert.StartsWith("|1|", line, StringComparison.Ordinal);
        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", $"[127.0.0.1]:{_server.Port}", "-f", knownHosts]);
        Assert.True(found.ExitCode == 0, found.ToString());
    }

    [Fact]
    public async Task Unknown_host_answered_no_fails_verification()
    {
        var (real, ours) = await BothAsync(kh => Args(kh, _server.ClientKeyPath("ed25519")), (AskText, "no"));
        Assert.Equal((AskText + "no\nHost key verification failed.", 255), real);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Unknown_host_takes_the_fingerprint_after_a_wrong_answer()
    {
        var key = _server.ClientKeyPath("ed25519");
        File.AppendAllText(Path.Combine(_dir, "authorized_keys"), File.ReadAllText(key + ".pub"));
        var (real, ours) = await BothAsync(kh => Args(kh, key),
            (AskText, "maybe"), ("Please type 'yes', 'no' or the fingerprint: ", Fingerprint()));
        Assert.Equal(0, real.ExitCode);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Encrypted_key_asks_for_its_passphrase()
    {
        var locked = Path.Combine(_dir, "id_locked");
        var prompt = $"Enter passphrase for key '{locked}': ";
        var (real, ours) = await BothAsync(kh => Args(kh, locked, "-o", "StrictHostKeyChecking=no"), (prompt, "wrong"), (prompt, "sesame"));
        Assert.EndsWith("logged-in", real.Screen);
        Assert.Equal(0, real.ExitCode);
        Assert.Equal(real, ours);
    }
}
