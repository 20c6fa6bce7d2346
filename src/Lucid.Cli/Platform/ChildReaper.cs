using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// Waits for the exit of many child processes with one thread: each child's pidfd (pidfd_open, Linux 5.3) goes
/// into one epoll set; when a pidfd becomes readable its child has exited and waitpid collects the status at
/// once. A thread per child would cost a thread start per session, which under load was ~5% of sshd's CPU
/// (the runtime spins until a new thread runs). Where pidfds are unavailable each child gets its own thread.
/// </summary>
internal static unsafe partial class ChildReaper
{
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private const uint EPOLLIN = 0x001;
    private const uint EPOLLONESHOT = 1u << 30;
    private const int EPOLL_CLOEXEC = 0x80000;
    private const int EINTR = 4;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* e);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, (int Pidfd, Action<(int? Code, int? Signal, bool Core)> Exited)> Waiting = [];
    private static int s_epoll = -1;

    /// <summary>Calls <paramref name="exited"/> (on the reaper's thread) with the child's status once it has exited and been reaped.</summary>
    public static void Watch(int pid, Action<(int? Code, int? Signal, bool Core)> exited)
    {
        bool watched;
        try
        {
            watched = TryWatch(pid, exited);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.36 has no pidfd_open wrapper.
            watched = false;
        }
        if (!watched)
        {
            new Thread(() => exited(Spawn.Wait(pid))) { IsBackground = true, Name = $"waitpid {pid}" }.Start();
        }
    }

    private static bool TryWatch(int pid, Action<(int? Code, int? Signal, bool Core)> exited)
    {
        int epoll;
        lock (Gate)
        {
            if (s_epoll == -1)
            {
                var fd = EpollCreate(EPOLL_CLOEXEC);
                if (fd < 0)
                {
                    s_epoll = -2;
                    return false;
                }
                s_epoll = fd;
                new Thread(Loop) { IsBackground = true, Name = "child reaper" }.Start();
            }
            epoll = s_epoll;
        }
        if (epoll < 0)
            return false;

        // A pidfd is close-on-exec by definition; the child is not reaped until we call waitpid, so it cannot
        // have gone (or its pid been reused) before this open, even if it has already exited.
        var pidfd = PidfdOpen(pid, 0);
        if (pidfd < 0)
            return false;
        lock (Gate)
            Waiting[pid] = (pidfd, exited);
        // One-shot: a child spawned meanwhile holds a copy of the pidfd until its exec, which keeps the
        // registration alive after we close ours; level-triggered, it would report the exit again and again.
        var e = new EpollEvent { Events = EPOLLIN | EPOLLONESHOT, Data = (ulong)pid };
        if (EpollCtl(epoll, EPOLL_CTL_ADD, pidfd, &e) != 0)
        {
            lock (Gate)
                Waiting.Remove(pid);
            Spawn.Close(pidfd);
            return false;
        }
        return true;
    }

    private static void Loop()
    {
        const int Max = 64;
        var events = stackalloc EpollEvent[Max];
        while (true)
        {
            var n = EpollWait(s_epoll, events, Max, -1);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR)
                    continue;
                return;
            }
            for (var i = 0; i < n; i++)
            {
                var pid = (int)events[i].Data;
                (int Pidfd, Action<(int? Code, int? Signal, bool Core)> Exited) entry;
                lock (Gate)
                {
                    if (!Waiting.Remove(pid, out entry))
                        continue;
                }
                EpollCtl(s_epoll, EPOLL_CTL_DEL, entry.Pidfd, null);
                Spawn.Close(entry.Pidfd);
                var status = Spawn.Wait(pid);
                try
                {
                    entry.Exited(status);
                }
                catch (Exception)
                {
                    // A callback's failure must not stop the reaping of every other session's process.
                }
            }
        }
    }
}
