using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// Password and keyboard-interactive authentication through `lucid ssh`, answering its /dev/tty prompts
/// in a tmux terminal, with OpenSSH's ssh run the same way as the reference for prompts and messages.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PasswordAuthTests
{
    private static string[] Args(OpenSshServer server, params string[] extra) =>
    [
        "-F", "/dev/null", "-p", server.Port.ToString(), "-o", "UserKnownHostsFile=" + server.KnownHostsPath,
        "-o", "StrictHostKeyChecking=yes", .. extra,
    ];

    private static Task<(string Screen, int ExitCode)> LucidAsync(string[] args, params (string, string)[] dialogue) =>
        TmuxTerminal.RunDialogueAsync(Lucid.Executable, ["ssh", .. args], dialogue);

    private static Task<(string Screen, int ExitCode)> OpenSshAsync(string[] args, params (string, string)[] dialogue) =>
        TmuxTerminal.RunDialogueAsync("ssh", args, dialogue);

    private const string PasswordPrompt = $"{TestUser.Name}@127.0.0.1's password: ";

    [Fact]
    public async Task Password_prompt_on_the_terminal()
    {
        await TestUser.EnsureAsync();
        await using var server = await OpenSshServer.StartAsync("PasswordAuthentication yes");
        var args = Args(server, "-o", "PubkeyAuthentication=no", "-l", TestUser.Name, "127.0.0.1", "echo", "in-as-$(whoami)");
        var ours = await LucidAsync(args, (PasswordPrompt, TestUser.Password));
        var real = await OpenSshAsync(args, (PasswordPrompt, TestUser.Password));
        Assert.Equal($"{PasswordPrompt}\nin-as-{TestUser.Name}", real.Screen);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Wrong_password_is_permission_denied_with_exit_255()
    {
        await TestUser.EnsureAsync();
        await using var server = await OpenSshServer.StartAsync("PasswordAuthentication yes", "KbdInteractiveAuthentication no");
        var args = Args(server, "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=2", "-l", TestUser.Name, "127.0.0.1", "true");
        var ours = await LucidAsync(args, (PasswordPrompt, "wrong-1"), ("Permission denied, please try again.\n" + PasswordPrompt, "wrong-2"));
        var real = await OpenSshAsync(args, (PasswordPrompt, "wrong-1"), ("Permission denied, please try again.\n" + PasswordPrompt, "wrong-2"));
        Assert.Equal(255, real.ExitCode);
        Assert.EndsWith($"{TestUser.Name}@127.0.0.1: Permission denied (publickey,password).", real.Screen);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Keyboard_interactive_answers_the_servers_prompts()
    {
        await TestUser.EnsureAsync();
        await using var server = await OpenSshServer.StartAsync("UsePAM yes", "KbdInteractiveAuthentication yes", "PasswordAuthentication no");
        var args = Args(server, "-o", "PubkeyAuthentication=no", "-l", TestUser.Name, "127.0.0.1", "echo", "kbd-$(whoami)");
        var prompt = $"({TestUser.Name}@127.0.0.1) Password: ";
        var ours = await LucidAsync(args, (prompt, TestUser.Password));
        var real = await OpenSshAsync(args, (prompt, TestUser.Password));
        Assert.Equal($"{prompt}\nkbd-{TestUser.Name}", real.Screen);
        Assert.Equal(real, ours);
    }

    [Fact]
    public async Task Chained_publickey_then_password()
    {
        await TestUser.EnsureAsync();
        // A key of our own for the test user, authorized through a file of its own.
        var dir = Directory.CreateTempSubdirectory("lucid-chained-").FullName;
        var userKey = Path.Combine(dir, "id_ed25519");
        await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", userKey]);
        File.Copy(userKey + ".pub", Path.Combine(dir, "authorized_keys"));
        // sshd reads authorized_keys as the user, who must be able to get at it.
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(dir, "authorized_keys"), (UnixFileMode)0b110_100_100);
        await using var restart = await OpenSshServer.StartAsync("PasswordAuthentication yes", "AuthenticationMethods publickey,password",
            $"AuthorizedKeysFile {dir}/authorized_keys");
        var args = Args(restart, "-i", userKey, "-l", TestUser.Name, "127.0.0.1", "echo", "chained-$(whoami)");
        var ours = await LucidAsync(args, (PasswordPrompt, TestUser.Password));
        var real = await OpenSshAsync(args, (PasswordPrompt, TestUser.Password));
        Assert.Equal($"{PasswordPrompt}\nchained-{TestUser.Name}", real.Screen);
        Assert.Equal(real, ours);
    }
}
