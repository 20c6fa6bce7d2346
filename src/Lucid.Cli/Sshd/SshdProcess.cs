using System.Buffers;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Lucid.Cli.Platform;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;
using Microsoft.Win32.SafeHandles;

namespace Lucid.Cli.Sshd;

/// <summary>A session process (started directly or through <see cref="SshdExec"/>): its pipes or terminal, its pid, its exit.</summary>
internal sealed class SshdProcess : ISshServerProcess
{
    private readonly int _pid;
    private readonly int _terminal;
    private readonly Stream _input;
    // Our end of stdin's pipe (non-blocking), written directly by WriteInputAsync; null with a terminal.
    private readonly SafePipeHandle? _inputPipe;
    private readonly TaskCompletionSource<SshExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inputClosed;

    private SshdProcess(int pid, Stream input, SafePipeHandle? inputPipe, Stream output, Stream? error, int terminal)
    {
        _pid = pid;
        _input = input;
        _inputPipe = inputPipe;
        Output = output;
        ErrorOutput = error;
        _terminal = terminal;
        ChildReaper.Watch(pid, status =>
        {
            var (code, signal, core) = status;
            _exited.TrySetResult(signal is { } s ? new SshExitStatus(null, new SshExitSignal(SignalName(s), core, "")) : new SshExitStatus(code, null));
        });
    }

    public Stream Input => _input;

    // stdin is a pipe written through the runtime's epoll engine; a terminal's master is written with blocking calls.
    public bool InputNeverBlocks => _terminal < 0;
    public Stream Output { get; }
    public Stream? ErrorOutput { get; }
    public Task<SshExitStatus> Exited => _exited.Task;

    /// <summary>
    /// Starts <paramref name="argv"/> as <paramref name="user"/>: directly with posix_spawn when sshd already runs
    /// as that user, or runs as root and can lend the spawning thread the user's credentials
    /// (<see cref="ThreadCredentials"/>); otherwise, and whenever the direct start fails, through the exec
    /// trampoline, a second `lucid` process that becomes the user and execs the program.
    /// </summary>
    public static SshdProcess Start(SshServerUser user, string path, IReadOnlyList<string> argv,
        IReadOnlyList<KeyValuePair<string, string>> environment, SshPtyRequest? pty)
    {
        if (pty is not null)
        {
            var (master, slave) = Pty.Open();
            try
            {
                if (Users.IsRoot)
                    Pty.GiveTo(slave, user.Uid, user.Gid);
                Pty.ApplyModes(slave, pty.Modes);
                Pty.Resize(master, new SshWindowSize(pty.Columns, pty.Rows, pty.WidthPixels, pty.HeightPixels));
                var env = environment.Append(new("SSH_TTY", slave)).ToList();
                var pid = Launch(user, path, argv, env, new Spawn.Stdio { Terminal = slave });
                var writer = Pty.Duplicate(master);
                var read = new FileStream(new SafeFileHandle(master, ownsHandle: true), FileAccess.Read, 1);
                var write = new FileStream(new SafeFileHandle(writer, ownsHandle: true), FileAccess.Write, 1);
                return new SshdProcess(pid, write, null, read, null, master);
            }
            catch
            {
                Spawn.Close(master);
                throw;
            }
        }

        var stdin = Spawn.Pipe();
        var stdout = Spawn.Pipe();
        var stderr = Spawn.Pipe();
        try
        {
            Libc.GrowPipe(stdin.Write);
            Libc.GrowPipe(stdout.Read);
            Libc.GrowPipe(stderr.Read);
            var pid = Launch(user, path, argv, environment,
                new Spawn.Stdio { Input = stdin.Read, Output = stdout.Write, Error = stderr.Write });
            // PipeStream on Unix does its async reads and writes through the runtime's epoll engine (it sets
            // O_NONBLOCK on our end only; the child's ends are separate open file descriptions and stay blocking).
            // A FileStream would instead block a pool thread in read(2) per pipe for as long as the session idles.
            Libc.MakeNonBlocking(stdin.Write);
            var input = new SafePipeHandle(stdin.Write, ownsHandle: true);
            return new SshdProcess(pid, new AnonymousPipeClientStream(PipeDirection.Out, input), input,
                new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(stdout.Read, ownsHandle: true)),
                new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(stderr.Read, ownsHandle: true)), -1);
        }
        catch
        {
            Spawn.Close(stdin.Write);
            Spawn.Close(stdout.Read);
            Spawn.Close(stderr.Read);
            throw;
        }
        finally
        {
            // The child has its copies; ours would keep the pipes open forever.
            Spawn.Close(stdin.Read);
            Spawn.Close(stdout.Write);
            Spawn.Close(stderr.Write);
        }
    }

    // Cleared when glibc lacks posix_spawn_file_actions_addclosefrom_np (before 2.34): the trampoline closes them instead.
    private static volatile bool s_directSupported = true;

    private static int Launch(SshServerUser user, string path, IReadOnlyList<string> argv,
        IReadOnlyList<KeyValuePair<string, string>> environment, Spawn.Stdio stdio)
    {
        // posix_spawn does what the trampoline does besides changing credentials (new session, controlling
        // terminal, default signals, chdir, only 0-2 open) without a second process start, which was about a
        // third of sshd's CPU per connection. Its failures (no home directory, no shell) take the trampoline
        // path, which reports them on the session's stderr in sshd's words and with the shell's exit codes.
        if (s_directSupported)
        {
            try
            {
                if (StartDirectly(user, path, argv, environment, stdio) is { } pid)
                    return pid;
            }
            catch (EntryPointNotFoundException)
            {
                s_directSupported = false;
            }
        }

        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the lucid executable");
        var trampoline = new List<string> { self, "sshd", SshdExec.Flag, user.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            user.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), user.Name, user.Home, path };
        trampoline.AddRange(argv);
        return Spawn.Start(self, trampoline, [.. environment, new(SshdExec.RuntimeSetting, "0")], stdio, null, newSession: true);
    }

    /// <summary>The pid, or null when the program could not be started directly (the trampoline then tries).</summary>
    private static int? StartDirectly(SshServerUser user, string path, IReadOnlyList<string> argv,
        IReadOnlyList<KeyValuePair<string, string>> environment, Spawn.Stdio stdio)
    {
        var sameUser = Users.GetUid() == user.Uid;
        if (!sameUser && !ThreadCredentials.Available)
            return null;
        using var spawn = new Spawn.Request(path, argv, environment, stdio, user.Home, newSession: true, closeOthers: true);
        if (sameUser)
            return spawn.Run() == 0 ? spawn.Pid : null;
        // The groups initgroups would set, looked up before the switch (NSS may open files and sockets).
        var groups = Users.GroupIdsOf(user.Name, user.Gid);
        return ThreadCredentials.TryRunAs(user.Uid, user.Gid, groups, spawn.Run, out var rc) && rc == 0 ? spawn.Pid : null;
    }

    /// <summary>
    /// What the pipe takes at once goes in one writev(2) from the calling thread (the connection's read loop);
    /// only a remainder, when the pipe is full, waits through the stream's event-driven writes.
    /// </summary>
    public ValueTask WriteInputAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        if (_inputPipe is not null)
            data = data.Slice(WriteWithoutWaiting(_inputPipe, data));
        return data.IsEmpty ? ValueTask.CompletedTask : ISshServerProcess.WriteSegmentsAsync(_input, data, cancellationToken);
    }

    /// <summary>Writes what the non-blocking pipe takes now; the bytes written.</summary>
    private static long WriteWithoutWaiting(SafePipeHandle pipe, ReadOnlySequence<byte> data)
    {
        var added = false;
        // A reference keeps the descriptor from being closed (and its number reused) under the write.
        pipe.DangerousAddRef(ref added);
        try
        {
            var fd = (int)pipe.DangerousGetHandle();
            long done = 0;
            while (done < data.Length)
            {
                var n = Libc.WriteGathered(fd, data.Slice(done));
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EAGAIN)
                        break;
                    throw new IOException($"write to the session's stdin: {Marshal.GetLastPInvokeErrorMessage()}");
                }
                done += n;
            }
            return done;
        }
        finally
        {
            if (added)
                pipe.DangerousRelease();
        }
    }

    public void CloseInput()
    {
        if (_terminal < 0 && Interlocked.Exchange(ref _inputClosed, 1) == 0)
            _input.Dispose();
    }

    public void ResizeTerminal(SshWindowSize size)
    {
        if (_terminal >= 0 && !_exited.Task.IsCompleted)
            Pty.Resize(_terminal, size);
    }

    public bool Signal(string name)
    {
        var number = SignalNumber(name);
        if (number == 0 || _exited.Task.IsCompleted)
            return false;
        return Spawn.Kill(_pid, number) == 0;
    }

    private static readonly string[] Names = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM"];

    private static string SignalName(int number) => number < Names.Length ? Names[number] : $"SIG{number}";

    private static int SignalNumber(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i > 0 ? i : 0;
    }

    /// <summary>
    /// The session is over (the program ended, or the client went away): our ends of the pipes or the terminal are
    /// closed, which is the hang-up OpenSSH's sshd gives, and a program still running gets SIGHUP (then SIGCONT, so
    /// a stopped job sees it) in its process group and in the terminal's foreground group, as the kernel's own
    /// hang-up of a terminal does. Its exit is collected by <see cref="ChildReaper"/> whenever it comes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
            HangUp();
        CloseInput();
        await Output.DisposeAsync();
        if (ErrorOutput is not null)
            await ErrorOutput.DisposeAsync();
        await _input.DisposeAsync();
    }

    // Signalled before the terminal is closed: a read of it may be blocked in the kernel, which keeps the
    // descriptor open until the programs holding the other side let go of it.
    private void HangUp()
    {
        const int SIGHUP = 1, SIGCONT = 18;
        var foreground = _terminal >= 0 ? Pty.ForegroundGroup(_terminal) : 0;
        foreach (var signal in new[] { SIGHUP, SIGCONT })
        {
            // The program leads a session of its own (setsid), so its process group has its pid.
            Spawn.Kill(-_pid, signal);
            if (foreground > 0 && foreground != _pid)
                Spawn.Kill(-foreground, signal);
        }
    }
}
