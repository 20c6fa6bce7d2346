using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// A real terminal for interactive tests: a private tmux server (its own socket, no user config, no
/// status line) running a plain bash, driven by send-keys and read with capture-pane.
/// </summary>
internal sealed class TmuxTerminal : IAsyncDisposable
{
    private readonly string _socket;

    private TmuxTerminal(string socket) => _socket = socket;

    public static async Task<TmuxTerminal> StartAsync(int columns, int rows, IDictionary<string, string>? environment = null)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"lucid-tmux-{Guid.NewGuid():N}");
        var terminal = new TmuxTerminal(socket);
        var env = string.Join(' ', (environment ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}='{kv.Value}'"));
        await terminal.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", columns.ToString(), "-y", rows.ToString(),
            $"env {env} PS1='local$ ' bash --norc --noprofile");
        await terminal.TmuxAsync("set", "-g", "status", "off");
        await terminal.WaitForAsync(@"local\$ $");
        return terminal;
    }

    public async Task<ProcessResult> TmuxAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("tmux", ["-S", _socket, .. args]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {result}");
        return result;
    }

    /// <summary>Types text literally, then Enter when asked.</summary>
    public async Task TypeAsync(string text, bool enter = true)
    {
        if (text.Length > 0)
            await TmuxAsync("send-keys", "-t", "t", "-l", text);
        if (enter)
            await TmuxAsync("send-keys", "-t", "t", "Enter");
    }

    public async Task<string> ScreenAsync() => (await TmuxAsync("capture-pane", "-p", "-J", "-t", "t", "-S", "-200")).StdOut;

    public async Task<(int Rows, int Columns)> PaneSizeAsync()
    {
        var text = (await TmuxAsync("display", "-p", "-t", "t", "#{pane_height} #{pane_width}")).StdOut.Trim().Split(' ');
        return (int.Parse(text[0]), int.Parse(text[1]));
    }

    /// <summary>Waits until the screen matches <paramref name="pattern"/> (multiline regex); returns the screen.</summary>
    public async Task<string> WaitForAsync(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var screen = await ScreenAsync();
            if (regex.IsMatch(screen))
                return screen;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the terminal never showed /{pattern}/; it shows:\n{screen}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until the program in the pane has put the terminal in raw mode (cfmakeraw: no canonical input and
    /// no signal keys). The shell's line editor also turns canonical input off but keeps the signal keys, so
    /// "-isig" tells the client's raw mode apart from the prompt of the local shell.
    /// </summary>
    public async Task WaitForRawModeAsync(TimeSpan? timeout = null)
    {
        var tty = (await TmuxAsync("display", "-p", "-t", "t", "#{pane_tty}")).StdOut.Trim();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var settings = (await ProcessRunner.RunAsync("stty", ["-F", tty, "-a"])).StdOut;
            if (Regex.IsMatch(settings, @"(^|\s)-icanon(\s|$)") && Regex.IsMatch(settings, @"(^|\s)-isig(\s|$)"))
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the terminal {tty} never entered raw mode; stty -a shows:\n{settings}");
            await Task.Delay(50);
        }
    }

    /// <summary>Runs a client in tmux, answers each prompt as it appears, returns the screen after it ended and its exit code.</summary>
    public static async Task<(string Screen, int ExitCode)> RunDialogueAsync(string program, string[] args, params (string Prompt, string Answer)[] dialogue)
    {
        await using var tmux = await TmuxTerminal.StartAsync(200, 50);
        await tmux.TypeAsync("echo ---begin---; " + string.Join(' ', new[] { program }.Concat(args).Select(Quote)) + "; echo \"rc=$?\"");
        var asked = new Dictionary<string, int>();
        foreach (var (prompt, answer) in dialogue)
        {
            // The same prompt may come again (a retry): wait for one more of it than was answered.
            var pattern = Regex.Escape(prompt) + "$";
            var seen = asked.GetValueOrDefault(prompt);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Regex.Matches(await tmux.ScreenAsync(), pattern, RegexOptions.Multiline).Count <= seen)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"prompt \"{prompt}\" never came; the terminal shows:\n{await tmux.ScreenAsync()}");
                await Task.Delay(100);
            }
            asked[prompt] = seen + 1;
            await tmux.TypeAsync(answer);
        }
        var screen = await tmux.WaitForAsync(@"^rc=\d+$");
        var rc = int.Parse(System.Text.RegularExpressions.Regex.Match(screen, @"^rc=(\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value);
        // Only what the client printed: drop the command line we typed and the prompt after it.
        var lines = screen.Split('\n').SkipWhile(l => l != "---begin---").Skip(1)
            .TakeWhile(l => !l.StartsWith("rc=", StringComparison.Ordinal));
        return (string.Join('\n', lines).TrimEnd(), rc);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ProcessRunner.RunAsync("tmux", ["-S", _socket, "kill-server"]);
        }
        catch (Exception)
        {
        }
        File.Delete(_socket);
    }
}
