using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>The few libc calls the terminal-facing tools need (Linux x86-64/arm64 layouts).</summary>
internal static unsafe partial class Libc
{
    public const int STDIN_FILENO = 0;
    public const int STDOUT_FILENO = 1;
    public const int STDERR_FILENO = 2;
    public const int TCSANOW = 0;
    public const int TCSADRAIN = 1;
    public const int TCSAFLUSH = 2;
    public const ulong TIOCGWINSZ = 0x5413;
    public const int O_RDWR = 2;
    public const int O_NOCTTY = 0x100;
    public const int O_CLOEXEC = 0x80000;
    public const int SIGHUP = 1;
    public const int SIGTSTP = 20;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcgetattr(int fd, out Termios termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcsetattr(int fd, int optionalActions, in Termios termios);

    [LibraryImport("libc")]
    public static partial void cfmakeraw(ref Termios termios);

    [LibraryImport("libc")]
    public static partial uint cfgetispeed(in Termios termios);

    [LibraryImport("libc")]
    public static partial uint cfgetospeed(in Termios termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, ulong request, out WinSize size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenWithMode(string path, int flags, uint mode);

    /// <summary>open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0600): a log file; -1 with errno on failure.</summary>
    public static int OpenForAppend(string path) => OpenWithMode(path, 0x1 | 0x400 | 0x40 | O_CLOEXEC, 0x180);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldFd, int newFd);

    /// <summary>signal(2) with a handler of SIG_DFL (0) or SIG_IGN (1); the old disposition, as a number.</summary>
    [LibraryImport("libc", EntryPoint = "signal")]
    public static partial nint SetSignalDisposition(int signal, nint handler);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc")]
    public static partial int getpid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    // fcntl(2) is variadic; an int third argument travels as for a fixed prototype on x86-64 and arm64 Linux.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    private const int F_GETFL = 3;
    private const int F_SETFL = 4;
    private const int O_NONBLOCK = 0x800;
    private const int F_SETPIPE_SZ = 1031;

    /// <summary>Clears O_NONBLOCK on <paramref name="fd"/>: read(2), recv(2) and send(2) on it then wait in the kernel.</summary>
    public static void MakeBlocking(int fd)
    {
        var flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
            throw new IOException($"fcntl: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>Sets O_NONBLOCK on <paramref name="fd"/>: a write(2) that would wait fails with EAGAIN instead.</summary>
    public static void MakeNonBlocking(int fd)
    {
        var flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
            throw new IOException($"fcntl: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    /// <summary>
    /// Grows the pipe on <paramref name="fd"/> to 1 MiB (the unprivileged maximum) when it is one; anything else
    /// is left alone. With the default 64 KiB, the program at the other end and we take turns every two packets;
    /// a larger pipe lets both run a megabyte ahead, with a fraction of the context switches. The kernel gives the
    /// pipe pages only as data fills them, so an idle pipe costs nothing more.
    /// </summary>
    public static void GrowPipe(int fd) => fcntl(fd, F_SETPIPE_SZ, 1 << 20);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nint Length;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint writev(int fd, IoVec* vectors, int count);

    /// <summary>How many segments one writev(2) takes: 16 of a channel's 64 KiB blocks are a megabyte, the pipe's size.</summary>
    private const int MaxGather = 16;

    [InlineArray(MaxGather)]
    private struct Pins
    {
        private MemoryHandle _first;
    }

    /// <summary>
    /// One writev(2) of <paramref name="data"/>'s segments (up to 16): the bytes written, or -1 with the error in
    /// <see cref="Marshal.GetLastPInvokeError"/>; retried after EINTR. A channel's input arrives as a sequence of
    /// blocks, and a write per block was two or three system calls (and wake-ups of the reader) per packet.
    /// </summary>
    public static nint WriteGathered(int fd, in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            fixed (byte* p = data.FirstSpan)
                return WriteRetrying(fd, p, data.FirstSpan.Length);
        }
        var vectors = stackalloc IoVec[MaxGather];
        var pins = new Pins();
        var count = 0;
        try
        {
            foreach (var segment in data)
            {
                if (segment.IsEmpty)
                    continue;
                if (count == MaxGather)
                    break;
                pins[count] = segment.Pin();
                vectors[count] = new IoVec { Base = pins[count].Pointer, Length = segment.Length };
                count++;
            }
            while (true)
            {
                var n = writev(fd, vectors, count);
                if (n >= 0 || Marshal.GetLastPInvokeError() != EINTR)
                    return n;
            }
        }
        finally
        {
            for (var i = 0; i < count; i++)
                pins[i].Dispose();
        }
    }

    private static nint WriteRetrying(int fd, byte* data, int length)
    {
        while (true)
        {
            var n = write(fd, data, length);
            if (n >= 0 || Marshal.GetLastPInvokeError() != EINTR)
                return n;
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, gathering its segments, retrying after EINTR and short writes.</summary>
    public static bool WriteAll(int fd, ReadOnlySequence<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = WriteGathered(fd, data);
            if (n < 0)
                return false;
            data = data.Slice(n);
        }
        return true;
    }

    /// <summary>Writes all of <paramref name="data"/>, retrying after EINTR and short writes.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = WriteRetrying(fd, p + done, data.Length - done);
                if (n < 0)
                    return false;
                done += (int)n;
            }
        }
        return true;
    }
}
