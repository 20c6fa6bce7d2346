namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// Passphrases from the SSH_ASKPASS program, when OpenSSH's ssh-keygen would run it: SSH_ASKPASS_REQUIRE=force,
/// or stdin that is not a terminal while a display is set (OpenSSH's regress test keygen-convert relies on it).
/// Both ssh-keygens run without a controlling terminal, with the same environment and empty stdin.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeygenAskpassTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private async Task<string> EncryptedKeyAsync()
    {
        var made = await _box.OpenSsh("-q", "-t", "ed25519", "-N", "hunter2", "-C", "asked", "-f", "k");
        Assert.True(made.ExitCode == 0, made.ToString());
        return _box.Read("k.pub");
    }

    private string Askpass(string body)
    {
        var path = _box.Write("askpass", "#!/bin/sh\n" + body + "\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private async Task<(ProcessResult Theirs, ProcessResult Ours)> BothAsync(Dictionary<string, string> environment, params string[] args)
    {
        var theirs = await ProcessRunner.RunAsync("/usr/bin/setsid", ["-w", KeygenSandbox.OpenSshKeygen, .. args], "",
            environment, workingDirectory: _box.Dir);
        var ours = await ProcessRunner.RunAsync("/usr/bin/setsid", ["-w", Lucid.Executable, "ssh-keygen", .. args], "",
            environment, workingDirectory: _box.Dir);
        return (theirs, ours);
    }

    [Fact]
    public async Task SSH_ASKPASS_REQUIRE_force_takes_the_passphrase_from_the_program()
    {
        var pub = await EncryptedKeyAsync();
        var askpass = Askpass("echo hunter2");
        var (theirs, ours) = await BothAsync(new() { ["SSH_ASKPASS"] = askpass, ["SSH_ASKPASS_REQUIRE"] = "force" }, "-y", "-f", "k");
        Assert.Equal(theirs.ToString(), ours.ToString());
        Assert.Equal(0, ours.ExitCode);
        Assert.StartsWith(pub.Split(' ')[0] + " " + pub.Split(' ')[1], ours.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_display_and_no_terminal_ask_the_program_too()
    {
        await EncryptedKeyAsync();
        var askpass = Askpass("echo \"$1\" >> prompts-seen; echo hunter2");
        var (theirs, ours) = await BothAsync(new() { ["SSH_ASKPASS"] = askpass, ["DISPLAY"] = ":0" }, "-y", "-f", "k");
        Assert.Equal(theirs.ToString(), ours.ToString());
        Assert.Equal(0, ours.ExitCode);
        // Each ssh-keygen showed its prompt through the program, and the same one.
        var prompts = _box.Read("prompts-seen").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, prompts.Length);
        Assert.StartsWith("Enter passphrase", prompts[0], StringComparison.Ordinal);
        Assert.Equal(prompts[0], prompts[1]);
    }

    [Fact]
    public async Task A_failing_program_is_no_passphrase()
    {
        await EncryptedKeyAsync();
        var askpass = Askpass("exit 1");
        var (theirs, ours) = await BothAsync(new() { ["SSH_ASKPASS"] = askpass, ["SSH_ASKPASS_REQUIRE"] = "force" }, "-y", "-f", "k");
        Assert.Equal(theirs.ToString(), ours.ToString());
        Assert.Equal(255, ours.ExitCode);
    }
}
