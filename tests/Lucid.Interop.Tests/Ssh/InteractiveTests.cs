using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>`lucid ssh` in a real terminal (tmux): pty, prompt, window size and resizes, escapes, terminal restored.</summary>
public sealed class InteractiveTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Command(params string[] extra) =>
        $"'{Lucid.Executable}' ssh " + string.Join(' ', _server.SshArguments().Concat(extra).Select(a => $"'{a}'"));

    [Fact]
    public async Task Shell_with_pty_follows_resizes_and_tilde_dot_restores_the_terminal()
    {
        await using var tmux = await TmuxTerminal.StartAsync(100, 30);
        await tmux.TypeAsync("saved=$(stty -g)");
        await tmux.TypeAsync(Command());
        // The remote login shell's prompt (bash as root ends it in "# ").
        await tmux.WaitForAsync(@"[#$] $");

        await tmux.TypeAsync("export PS1='remote> '");
        await tmux.WaitForAsync("^remote> $");
        var (rows, columns) = await tmux.PaneSizeAsync();
        await tmux.TypeAsync("stty size");
        await tmux.WaitForAsync($"^{rows} {columns}$");

        await tmux.TmuxAsync("resize-window", "-t", "t", "-x", "120", "-y", "40");
        (rows, columns) = await tmux.PaneSizeAsync();
        Assert.Equal((40, 120), (rows, columns));
        await tmux.TypeAsync("stty size");
        await tmux.WaitForAsync("^40 120$");

        // ~? shows the help, ~. (after a newline) disconnects.
        await tmux.TypeAsync("");
        await tmux.TypeAsync("~?", enter: false);
        await tmux.WaitForAsync(@"^\(Note that escapes are only recognized immediately after newline\.\)$");
        await tmux.TypeAsync("~.", enter: false);
        await tmux.WaitForAsync("Connection to 127.0.0.1 closed.");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("echo \"rc=$? restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
        await tmux.WaitForAsync("^rc=255 restored=yes$");
    }

    [Fact]
    public async Task Exit_from_the_remote_shell_returns_its_status_and_restores_the_terminal()
    {
        await using var tmux = await TmuxTerminal.StartAsync(80, 24);
        await tmux.TypeAsync("saved=$(stty -g)");
        await tmux.TypeAsync(Command());
        await tmux.WaitForAsync(@"[#$] $");
        await tmux.TypeAsync("exit 7");
        await tmux.WaitForAsync("Connection to 127.0.0.1 closed.");
        await tmux.WaitForAsync(@"local\$ $");
        await tmux.TypeAsync("echo \"rc=$? restored=$([ \"$(stty -g)\" = \"$saved\" ] && echo yes || echo no)\"");
        await tmux.WaitForAsync("^rc=7 restored=yes$");
    }
}
