using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Lucid.Cli.Platform;

namespace Lucid.Cli.Sshd;

/// <summary>
/// sshd without -D: the command returns (exit 0) once the server is listening, and the server carries on in the
/// background, in a session of its own, with no terminal. OpenSSH forks (daemon(3)); .NET cannot fork safely, so the
/// first process starts `lucid` again with the same arguments and <see cref="ChildVariable"/> set, and waits.
/// </summary>
/// <remarks>
/// The second process gets stdin and stdout on /dev/null and stderr on a pipe that the first copies to its own
/// stderr, so whatever goes wrong before the server listens (a port in use, no host keys) reaches the user, and the
/// first process then exits with the second one's status. Unlike OpenSSH, which forks before it binds, `sshd`
/// without -D therefore fails in the foreground when it cannot listen. Once its sockets are bound and its PidFile
/// written, the second process writes "ready" on a second pipe and moves its stderr to /dev/null, or to the user's
/// stderr when its log goes there (-e, or no syslog daemon to log to), which it was given as a spare descriptor.
/// Why pipes rather than handing the user's stderr over directly: the runtime keeps duplicates of descriptors 0-2
/// that it opened at start-up, and a duplicate of the user's stderr would hold open the terminal, or the pipe of a
/// script waiting for `sshd` to finish writing, for as long as the server runs.
/// </remarks>
internal static unsafe partial class SshdDaemon
{
    /// <summary>"readyFd,stderrFd", set in the environment of the background process; removed by it at once.</summary>
    public const string ChildVariable = "LUCID_SSHD_DETACHED";

    private const string ReadyLine = "ready\n";

    private static readonly (int Ready, int Stderr)? s_child = TakeChildMarker();

    /// <summary>True in the background process started by <see cref="Detach"/>.</summary>
    public static bool IsDetachedChild => s_child is not null;

    private static (int, int)? TakeChildMarker()
    {
        var value = Environment.GetEnvironmentVariable(ChildVariable);
        Environment.SetEnvironmentVariable(ChildVariable, null);
        var parts = value?.Split(',');
        if (parts is not { Length: 2 } ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ready) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var stderr))
            return null;
        // Nothing we start (sessions, their trampolines) may inherit these.
        SetCloseOnExec(ready, true);
        SetCloseOnExec(stderr, true);
        return (ready, stderr);
    }

    /// <summary>Starts the background server and waits until it listens (0) or has failed (its exit status).</summary>
    public static int Detach(string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the lucid executable");
        var (readyRead, readyWrite) = Spawn.Pipe();
        var (errorRead, errorWrite) = Spawn.Pipe();
        var spareStderr = Dup(Libc.STDERR_FILENO);
        var devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        int pid;
        try
        {
            // Inherited by number (not through 0-2): their close-on-exec flag comes off for the spawn.
            SetCloseOnExec(readyWrite, false);
            var environment = new List<KeyValuePair<string, string>>();
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
                environment.Add(new((string)e.Key, (string?)e.Value ?? ""));
            environment.Add(new(ChildVariable, $"{readyWrite},{spareStderr}"));
            pid = Spawn.Start(self, [self, "sshd", .. args], environment,
                new Spawn.Stdio { Input = devNull, Output = devNull, Error = errorWrite }, null, newSession: true);
        }
        finally
        {
            Libc.close(readyWrite);
            Libc.close(errorWrite);
            Libc.close(spareStderr);
            Libc.close(devNull);
        }
        var ready = WaitForReady(readyRead, errorRead);
        Libc.close(readyRead);
        Libc.close(errorRead);
        if (ready)
            return 0; // it runs on; its exit is now for init to collect
        var (code, signal, _) = Spawn.Wait(pid);
        return code ?? 128 + (signal ?? 127);
    }

    /// <summary>Copies the server's stderr to ours until the ready pipe says "ready" or closes; true for "ready".</summary>
    private static bool WaitForReady(int readyFd, int errorFd)
    {
        var said = new StringBuilder();
        var buffer = stackalloc byte[4096];
        var fds = stackalloc PollFd[2];
        var errorOpen = true;
        while (true)
        {
            fds[0] = new PollFd { Fd = readyFd, Events = POLLIN };
            fds[1] = new PollFd { Fd = errorOpen ? errorFd : -1, Events = POLLIN };
            if (Poll(fds, 2, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                return false;
            }
            if (errorOpen && fds[1].Returned != 0)
                errorOpen = Relay(errorFd, buffer);
            if (fds[0].Returned != 0)
            {
                var n = Libc.read(readyFd, buffer, 4096);
                if (n > 0)
                {
                    said.Append(Encoding.ASCII.GetString(buffer, (int)n));
                    continue;
                }
                if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                break;
            }
        }
        var ready = said.ToString() == ReadyLine;
        // What the server wrote before it got there, or before it exited. A server that is ready keeps the pipe open
        // (the runtime's duplicate), so only what is already in it is copied.
        Libc.MakeNonBlocking(errorFd);
        while (errorOpen && (ready ? Poll(fds + 1, 1, 0) > 0 : Poll(fds + 1, 1, 10_000) > 0))
            errorOpen = Relay(errorFd, buffer);
        return ready;
    }

    /// <summary>One read from the server's stderr written to ours; false at its end.</summary>
    private static bool Relay(int errorFd, byte* buffer)
    {
        var n = Libc.read(errorFd, buffer, 4096);
        if (n > 0)
        {
            Libc.WriteAll(Libc.STDERR_FILENO, new ReadOnlySpan<byte>(buffer, (int)n));
            return true;
        }
        return n < 0 && Marshal.GetLastPInvokeError() is Libc.EINTR or Libc.EAGAIN;
    }

    /// <summary>
    /// In the background process, once it serves: tells the waiting first process, then lets go of its descriptors:
    /// stdin and stdout stay on /dev/null; stderr becomes the user's stderr when <paramref name="keepStderr"/> (the
    /// log goes there: -e, or no syslog daemon), /dev/null otherwise.
    /// </summary>
    public static void ReportReady(bool keepStderr)
    {
        if (s_child is not { } child)
            return;
        if (keepStderr)
            Libc.dup2(child.Stderr, Libc.STDERR_FILENO);
        else if (Libc.open("/dev/null", Libc.O_RDWR) is var devNull and >= 0)
        {
            Libc.dup2(devNull, Libc.STDERR_FILENO);
            Libc.close(devNull);
        }
        Libc.close(child.Stderr);
        Libc.WriteAll(child.Ready, Encoding.ASCII.GetBytes(ReadyLine));
        Libc.close(child.Ready);
    }

    /// <summary>
    /// In the background process, before anything is written: Console's own writers would keep a duplicate of
    /// descriptor 2, which <see cref="ReportReady"/> could not move; these write to the descriptor number itself.
    /// </summary>
    public static void WriteConsoleToDescriptors()
    {
        if (s_child is null)
            return;
        Console.SetOut(new StreamWriter(new DescriptorStream(Libc.STDOUT_FILENO, FileAccess.Write)) { AutoFlush = true });
        Console.SetError(new StreamWriter(new DescriptorStream(Libc.STDERR_FILENO, FileAccess.Write)) { AutoFlush = true });
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    private const short POLLIN = 1;
    private const int F_DUPFD_CLOEXEC = 1030, F_SETFD = 2, FD_CLOEXEC = 1;

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    private static void SetCloseOnExec(int fd, bool on) => Fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0);

    /// <summary>A duplicate that the child inherits (no close-on-exec), at 3 or above.</summary>
    private static int Dup(int fd)
    {
        var copy = Fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
            throw new IOException($"dup: {Marshal.GetLastPInvokeErrorMessage()}");
        SetCloseOnExec(copy, false);
        return copy;
    }
}
