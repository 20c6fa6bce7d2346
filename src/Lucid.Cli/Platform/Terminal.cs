using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// The local terminal: whether a descriptor is one, its size, its modes as RFC 4254 encodes them, and
/// raw mode that is undone on every way out (dispose, process exit, SIGTERM/SIGHUP/SIGINT/SIGQUIT).
/// </summary>
internal static class Terminal
{
    private static readonly Lock Gate = new();
    private static Termios? _saved;
    private static Termios? _rawAfterContinue;
    private static readonly ManualResetEventSlim Continued = new();
    private static bool _hooksInstalled;
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>The window size of <paramref name="fd"/>, or null when it is not a terminal.</summary>
    public static WinSize? GetSize(int fd = Libc.STDIN_FILENO)
    {
        if (Libc.ioctl(fd, Libc.TIOCGWINSZ, out var size) != 0)
            return null;
        return size;
    }

    /// <summary>The terminal modes of <paramref name="fd"/> encoded for pty-req (RFC 4254 section 8), or an empty list (just TTY_OP_END).</summary>
    public static byte[] EncodedModes(int fd = Libc.STDIN_FILENO)
    {
        if (Libc.tcgetattr(fd, out var t) != 0)
            return [0];
        return TerminalModes.Encode(t, Libc.cfgetispeed(t), Libc.cfgetospeed(t));
    }

    /// <summary>Puts stdin's terminal in raw mode; disposing the result (or the process ending) restores it.</summary>
    public static IDisposable EnterRawMode()
    {
        lock (Gate)
        {
            if (_saved is not null)
                return new Restorer();
            if (Libc.tcgetattr(Libc.STDIN_FILENO, out var original) != 0)
                throw new IOException($"tcgetattr: {Marshal.GetLastPInvokeErrorMessage()}");
            var raw = original;
            Libc.cfmakeraw(ref raw);
            InstallHooks();
            _saved = original;
            if (Libc.tcsetattr(Libc.STDIN_FILENO, Libc.TCSADRAIN, raw) != 0)
            {
                _saved = null;
                throw new IOException($"tcsetattr: {Marshal.GetLastPInvokeErrorMessage()}");
            }
            return new Restorer();
        }
    }

    /// <summary>Restores the modes saved by <see cref="EnterRawMode"/>; harmless when not in raw mode.</summary>
    public static void Restore()
    {
        lock (Gate)
        {
            if (_saved is { } saved)
            {
                Libc.tcsetattr(Libc.STDIN_FILENO, Libc.TCSADRAIN, saved);
                _saved = null;
            }
        }
    }

    /// <summary>Whether raw mode is in force (it is left for a suspend and re-entered afterwards).</summary>
    public static bool IsRaw
    {
        get { lock (Gate) return _saved is not null; }
    }

    private static void InstallHooks()
    {
        if (_hooksInstalled)
            return;
        _hooksInstalled = true;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Restore();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => Restore();
        // A signal that ends the process must not leave the user's terminal raw; the default action
        // (termination) still follows because the handler does not cancel it.
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
            Registrations.Add(PosixSignalRegistration.Create(signal, _ => Restore()));
        if (!OperatingSystem.IsWindows())
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGCONT, OnContinued));
    }

    private sealed class Restorer : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Restore();
        }
    }

    /// <summary>Suspends the process (as ^Z would) with the terminal restored, and re-enters raw mode once continued.</summary>
    public static void SuspendSelf()
    {
        lock (Gate)
        {
            if (_saved is { } original)
            {
                Libc.tcsetattr(Libc.STDIN_FILENO, Libc.TCSADRAIN, original);
                _saved = null;
                _rawAfterContinue = original;
            }
        }
        Continued.Reset();
        Libc.kill(Libc.getpid(), Libc.SIGTSTP);
        // The stop may take effect on the runtime's signal thread a moment after kill returns (it restores the
        // terminal it knows and re-raises), so going raw straight away could be undone before the stop. Wait for
        // SIGCONT (the wait is frozen with the process while stopped); the bound covers a SIGTSTP that never stops
        // us, as in an orphaned process group.
        Continued.Wait(TimeSpan.FromSeconds(1));
        ReenterRawMode();
    }

    /// <summary>Re-enters the raw mode that <see cref="SuspendSelf"/> left; harmless when there is none to re-enter.</summary>
    private static void ReenterRawMode()
    {
        lock (Gate)
        {
            if (_rawAfterContinue is not { } original)
                return;
            var raw = original;
            Libc.cfmakeraw(ref raw);
            _saved = original;
            _rawAfterContinue = null;
            Libc.tcsetattr(Libc.STDIN_FILENO, Libc.TCSADRAIN, raw);
        }
    }

    /// <summary>
    /// On SIGCONT the .NET runtime re-applies the terminal settings it knows (cooked mode) from its signal thread,
    /// which can land after we went raw again and leave the session with a line-buffered, echoing terminal.
    /// Cancelling that default and re-entering raw mode here makes the outcome independent of the ordering.
    /// </summary>
    private static void OnContinued(PosixSignalContext context)
    {
        context.Cancel = true;
        ReenterRawMode();
        Continued.Set();
    }
}
