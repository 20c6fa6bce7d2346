namespace Lucid.Interop.Tests.Sshd;

/// <summary>An interactive login through a real terminal: OpenSSH's ssh -tt inside a detached tmux session.</summary>
public sealed class SshdPtyTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private readonly string _socket = "lucid-sshd-pty-" + Guid.NewGuid().ToString("N")[..8];

    private Task<ProcessResult> TmuxAsync(params string[] args) => ProcessRunner.RunAsync("tmux", ["-L", _socket, .. args]);

    private async Task<string> ScreenAsync() => (await TmuxAsync("capture-pane", "-p", "-t", "t")).StdOut;

    private async Task<string> WaitForScreenAsync(Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var screen = await ScreenAsync();
            if (done(screen))
                return screen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the terminal never showed {what}.\n--- screen\n{screen}\n--- sshd log\n{fixture.Server.Log}");
            await Task.Delay(100);
        }
    }

    private async Task TypeAsync(string line)
    {
        await TmuxAsync("send-keys", "-t", "t", "-l", line);
        await TmuxAsync("send-keys", "-t", "t", "Enter");
    }

    [Fact]
    public async Task Login_shell_with_tty_resize_ctrl_c_and_exit()
    {
        var config = Path.Combine(fixture.Server.Directory, $"{_socket}.conf");
        await File.WriteAllTextAsync(config, "set -g status off\nset -g remain-on-exit on\n");
        var ssh = string.Join(' ', new[] { "ssh", "-tt" }.Concat(fixture.Server.SshArguments()).Select(a => $"'{a}'"));
        var started = await TmuxAsync("-f", config, "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", ssh);
        Assert.True(started.ExitCode == 0, started.ToString());
        try
        {
            await WaitForScreenAsync(s => s.TrimEnd().EndsWith('$'), "a shell prompt");

            await TypeAsync("tty; stty size; echo \"ssh_tty=$SSH_TTY term=$TERM\"");
            // SSH_TTY names the terminal the shell has; TERM is the client's (tmux's) terminal type. Wait for the
            // whole answer: the size line can be on screen a moment before the echo after it.
            const string answer = @"(/dev/pts/\d+)\n30 100\nssh_tty=\1 term=(screen|tmux)[-\w]*\n";
            var screen = await WaitForScreenAsync(s => System.Text.RegularExpressions.Regex.IsMatch(s, answer), "the tty, its size and SSH_TTY/TERM");
            Assert.Matches(answer, screen);

            await TmuxAsync("resize-window", "-t", "t", "-x", "120", "-y", "40");
            await TypeAsync("clear; stty size");
            await WaitForScreenAsync(s => s.Contains("40 120"), "the new size after a resize");

            await TypeAsync("clear; sleep 100; echo slept");
            await Task.Delay(500);
            await TmuxAsync("send-keys", "-t", "t", "C-c");
            await TypeAsync("echo after-$((20+22))");
            screen = await WaitForScreenAsync(s => s.Contains("after-42"), "the shell back after Ctrl-C");
            Assert.DoesNotContain("slept", screen);
            Assert.Contains("^C", screen);

            await TypeAsync("exit 0");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            string dead;
            // tmux occasionally reports a dead pane before (or without) recording its exit status; then the
            // login shell's own "logout" on screen is the evidence that the session ended normally.
            while ((dead = (await TmuxAsync("display-message", "-p", "-t", "t", "#{pane_dead} #{pane_dead_status}")).StdOut.Trim()) != "1 0")
            {
                if (dead == "1" && (await ScreenAsync()).Contains("logout"))
                    break;
                Assert.True(DateTime.UtcNow < deadline, $"ssh did not end with status 0 ({dead}).\n{await ScreenAsync()}");
                await Task.Delay(100);
            }
        }
        finally
        {
            await TmuxAsync("kill-server");
        }
    }
}
