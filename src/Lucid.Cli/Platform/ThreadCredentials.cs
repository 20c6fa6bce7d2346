using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// Runs one short native call (a posix_spawn) with the calling thread, and only that thread, switched from root
/// to a user's uid, gid and supplementary groups, then switches it back.
/// <para>
/// Linux keeps credentials per thread. glibc's setresuid, setresgid and setgroups make them per process by
/// signalling every other thread to make the same change; the raw system calls (syscall(2) with the numbers
/// below) change only the calling thread, so sshd's other threads keep serving as root meanwhile. glibc's
/// posix_spawn clones the calling thread (CLONE_VM | CLONE_VFORK), and the child inherits that thread's
/// credentials: the session's program starts as the user without a second process doing setuid for it.
/// </para>
/// <para>
/// The thread keeps root as its saved set-user-ID, which is how it gets back. The child does not keep it:
/// execve(2) copies the effective uid into the saved one, so the user's program ends with real, effective and
/// saved uid all the user's, and with no capabilities. Before that exec, the saved uid of 0 also keeps the
/// user's other processes from attaching to the clone or reading its memory, which is still sshd's.
/// </para>
/// <para>
/// Changing a thread's effective uid makes the kernel mark the whole process non-dumpable (suid_dumpable).
/// We leave it so rather than restore it with prctl(PR_SET_DUMPABLE, 1): like OpenSSH's sshd, which sets it
/// on purpose, sshd holds host keys and session keys that no core file or non-root debugger should see, and
/// another thread could be mid-switch when this one restored it.
/// </para>
/// </summary>
internal static unsafe partial class ThreadCredentials
{
    /// <summary>System call numbers, which differ per architecture; null where we do not know them.</summary>
    private static readonly (nint SetResUid, nint SetResGid, nint SetGroups)? Numbers =
        !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (117, 119, 116),
            Architecture.Arm64 => (147, 149, 159),
            _ => null,
        };

    /// <summary>
    /// A thread keeps its ambient capabilities through setresuid while its saved uid stays root, and execve would
    /// hand them to the user's program (glibc's setuid in the trampoline clears them: every uid changes). sshd has
    /// none unless it was started with some (systemd's AmbientCapabilities=, say); then the trampoline does the switch.
    /// </summary>
    private static readonly bool NoAmbientCapabilities = ReadNoAmbientCapabilities();

    /// <summary>Whether <see cref="TryRunAs"/> can work here: Linux on an architecture we know, root, no ambient capabilities.</summary>
    public static bool Available => Numbers is not null && Users.IsRoot && NoAmbientCapabilities;

    private static bool ReadNoAmbientCapabilities()
    {
        if (Numbers is null)
            return false;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapAmb:", StringComparison.Ordinal))
                    return ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var set) && set == 0;
            }
            return true; // a kernel before 4.3, which has no ambient capabilities
        }
        catch (IOException)
        {
            return false;
        }
    }

    private const nint Unchanged = -1;

    // syscall(2) is variadic; integer arguments travel in the same registers as for a fixed prototype on
    // x86-64 and arm64 Linux, and glibc implements it in assembly that just moves them.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint a, nint b, nint c);

    // The readers are per thread already: each reads the calling thread's credentials.
    [LibraryImport("libc", EntryPoint = "getresuid")]
    private static partial int GetResUid(uint* real, uint* effective, uint* saved);

    [LibraryImport("libc", EntryPoint = "getresgid")]
    private static partial int GetResGid(uint* real, uint* effective, uint* saved);

    [LibraryImport("libc", EntryPoint = "getgroups", SetLastError = true)]
    private static partial int GetGroups(int size, uint* list);

    /// <summary>
    /// Runs <paramref name="action"/> on this thread as <paramref name="uid"/>/<paramref name="gid"/> with
    /// <paramref name="groups"/>. Returns false, with nothing changed and the action not run, when the switch
    /// is refused (no CAP_SETUID or CAP_SETGID, say); otherwise true and the action's result. The action must
    /// be a native call that neither allocates nor throws: while it runs this thread is the user, and a thread
    /// the runtime started from it now (a garbage collector's, say) would stay the user. If the thread cannot be
    /// switched back, the process stops (<see cref="Environment.FailFast(string)"/>): running on with a thread
    /// that is someone else would be worse than any outage.
    /// </summary>
    public static bool TryRunAs(uint uid, uint gid, uint[] groups, Func<int> action, out int result)
    {
        result = 0;
        if (Numbers is not { } n)
            return false;

        // Everything the switch back needs is read and allocated before the switch.
        uint ruid, euid, suid, rgid, egid, sgid;
        GetResUid(&ruid, &euid, &suid);
        GetResGid(&rgid, &egid, &sgid);
        if (euid != 0)
            return false;
        var count = GetGroups(0, null);
        var original = new uint[Math.Max(count, 0)];
        fixed (uint* o = original)
        {
            if (count < 0 || GetGroups(original.Length, o) != original.Length)
                return false;
        }
        var check = new uint[original.Length];

        fixed (uint* g = groups)
        fixed (uint* o = original)
        fixed (uint* c = check)
        {
            try
            {
                // Groups and gid first: once the uid is the user's, the thread may no longer change them.
                // The saved uid stays root's, so the thread can take root back.
                if (Syscall(n.SetGroups, groups.Length, (nint)g, 0) != 0 ||
                    Syscall(n.SetResGid, (nint)gid, (nint)gid, (nint)gid) != 0 ||
                    Syscall(n.SetResUid, (nint)uid, (nint)uid, (nint)euid) != 0)
                    return false;
                result = action();
                return true;
            }
            finally
            {
                // Effective uid first (allowed: it is the saved one); with it the capabilities to restore the rest.
                // Then each is read back: a thread left with any of the user's credentials must not serve again.
                uint r, e, s;
                var restored =
                    Syscall(n.SetResUid, Unchanged, (nint)euid, Unchanged) == 0 &&
                    Syscall(n.SetResUid, (nint)ruid, (nint)euid, (nint)suid) == 0 &&
                    Syscall(n.SetResGid, (nint)rgid, (nint)egid, (nint)sgid) == 0 &&
                    Syscall(n.SetGroups, original.Length, (nint)o, 0) == 0 &&
                    GetResUid(&r, &e, &s) == 0 && r == ruid && e == euid && s == suid &&
                    GetResGid(&r, &e, &s) == 0 && r == rgid && e == egid && s == sgid &&
                    GetGroups(check.Length, c) == check.Length && check.AsSpan().SequenceEqual(original);
                if (!restored)
                {
                    Environment.FailFast(
                        $"lucid sshd: could not switch a thread back to uid {euid} after starting a session as uid {uid} " +
                        $"({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}); stopping rather than serve on with another user's credentials");
                }
            }
        }
    }
}
