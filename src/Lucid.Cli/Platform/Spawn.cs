using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// Starting processes with posix_spawn(3): .NET cannot fork safely, and posix_spawn (clone with
/// CLONE_VFORK in glibc) runs no managed code in the child. File actions place the pipes or the terminal
/// on 0, 1 and 2 and set the working directory; POSIX_SPAWN_SETSID makes the child a session leader, so
/// opening the terminal slave in the file actions makes it the controlling terminal.
/// </summary>
internal static unsafe partial class Spawn
{
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;
    public const int O_RDWR = 2;
    public const int O_CLOEXEC = 0x80000;

    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64; allocate more.
    private const int ActionsSize = 256;
    private const int AttrSize = 512;
    private const int SigsetSize = 128;

    [LibraryImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    private static partial int PosixSpawn(int* pid, byte* path, void* actions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int ActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int ActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int ActionsDup2(void* actions, int fd, int newfd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int ActionsOpen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static partial int ActionsChdir(void* actions, byte* path);

    // glibc 2.34 and later.
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    private static partial int ActionsCloseFrom(void* actions, int from);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttrInit(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttrDestroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int AttrSetFlags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int AttrSetSigmask(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int AttrSetSigdefault(void* attr, void* sigset);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static partial int SigFillSet(void* set);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);

    /// <summary>What goes on the child's descriptors 0, 1, 2: existing descriptors, or a path opened in the child.</summary>
    public sealed class Stdio
    {
        public int Input { get; init; } = -1;
        public int Output { get; init; } = -1;
        public int Error { get; init; } = -1;
        /// <summary>Opened read-write as 0 (then duplicated to 1 and 2) after setsid: the controlling terminal.</summary>
        public string? Terminal { get; init; }
    }

    /// <summary>
    /// Starts <paramref name="path"/>; returns the pid. Throws IOException with strerror's text on failure
    /// (glibc reports a failed file action, such as the chdir, or a failed exec as posix_spawn's result), and
    /// EntryPointNotFoundException when <paramref name="closeOthers"/> is asked of a glibc older than 2.34.
    /// <paramref name="closeOthers"/> closes every descriptor above 2 in the child, also those the runtime or a
    /// library opened without close-on-exec: what a program we hand to a user must not inherit.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment,
        Stdio stdio, string? workingDirectory, bool newSession, bool closeOthers = false)
    {
        using var request = new Request(path, argv, environment, stdio, workingDirectory, newSession, closeOthers);
        var rc = request.Run();
        if (rc != 0)
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(rc)}");
        return request.Pid;
    }

    /// <summary>
    /// A posix_spawn with everything prepared up front (strings, arrays, file actions, attributes), so that
    /// <see cref="Run"/> is one native call that neither allocates nor throws: it can run while the calling thread
    /// wears another user's credentials (<see cref="ThreadCredentials"/>), where a garbage collection started by
    /// an allocation could create a runtime thread that inherits them.
    /// </summary>
    public sealed class Request : IDisposable
    {
        private readonly List<nint> _allocations = [];
        private readonly void* _actions;
        private readonly void* _attr;
        private readonly void* _sigset;
        private readonly byte* _path;
        private readonly byte** _argv;
        private readonly byte** _envp;
        private bool _disposed;

        /// <inheritdoc cref="Start"/>
        public Request(string path, IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment,
            Stdio stdio, string? workingDirectory, bool newSession, bool closeOthers)
        {
            _actions = NativeMemory.AllocZeroed(ActionsSize);
            _attr = NativeMemory.AllocZeroed(AttrSize);
            _sigset = NativeMemory.AllocZeroed(SigsetSize);
            ActionsInit(_actions);
            AttrInit(_attr);
            try
            {
                if (stdio.Terminal is { } tty)
                {
                    ActionsOpen(_actions, 0, Utf8(tty), O_RDWR, 0);
                    ActionsDup2(_actions, 0, 1);
                    ActionsDup2(_actions, 0, 2);
                }
                else
                {
                    ActionsDup2(_actions, stdio.Input, 0);
                    ActionsDup2(_actions, stdio.Output, 1);
                    ActionsDup2(_actions, stdio.Error, 2);
                }
                if (closeOthers)
                    ActionsCloseFrom(_actions, 3);
                if (workingDirectory is not null)
                    ActionsChdir(_actions, Utf8(workingDirectory));

                // The child starts with no blocked signals and default handlers: .NET ignores SIGPIPE, and
                // an ignored SIGPIPE would survive exec into the user's shell.
                SigEmptySet(_sigset);
                AttrSetSigmask(_attr, _sigset);
                SigFillSet(_sigset);
                AttrSetSigdefault(_attr, _sigset);
                AttrSetFlags(_attr, (short)(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? POSIX_SPAWN_SETSID : 0)));

                _path = Utf8(path);
                _argv = Array(argv);
                _envp = Array(environment.Select(kv => $"{kv.Key}={kv.Value}").ToList());
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The child's pid once <see cref="Run"/> has succeeded.</summary>
        public int Pid { get; private set; }

        /// <summary>Calls posix_spawn; returns 0 or the error number (no exception, no allocation).</summary>
        public int Run()
        {
            int pid;
            var rc = PosixSpawn(&pid, _path, _actions, _attr, _argv, _envp);
            if (rc == 0)
                Pid = pid;
            return rc;
        }

        private byte* Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            _allocations.Add(p);
            return (byte*)p;
        }

        private byte** Array(IReadOnlyList<string> items)
        {
            var p = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
            _allocations.Add((nint)p);
            for (var i = 0; i < items.Count; i++)
                p[i] = Utf8(items[i]);
            return p;
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            ActionsDestroy(_actions);
            AttrDestroy(_attr);
            NativeMemory.Free(_actions);
            NativeMemory.Free(_attr);
            NativeMemory.Free(_sigset);
            // Array() allocates with NativeMemory, Utf8() with CoTaskMem: both are malloc and free on Unix.
            foreach (var p in _allocations)
                Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>A pipe whose both ends are close-on-exec (the child gets its end through dup2).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, O_CLOEXEC) != 0)
            throw new IOException($"pipe: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return (fds[0], fds[1]);
    }

    /// <summary>Blocks until the process ends; returns (exit code, null) or (null, signal number, core dumped).</summary>
    public static (int? Code, int? Signal, bool Core) Wait(int pid)
    {
        int status;
        while (true)
        {
            var rc = WaitPid(pid, &status, 0);
            if (rc == pid)
                break;
            if (rc == -1 && Marshal.GetLastPInvokeError() == 4) // EINTR
                continue;
            return (255, null, false);
        }
        var signal = status & 0x7f;
        if (signal == 0)
            return ((status >> 8) & 0xff, null, false);
        return (null, signal, (status & 0x80) != 0);
    }
}
