using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Agent;

/// <summary>The libc calls the agent tools need that the rest of the CLI does not: umask, peer credentials, mkdtemp.</summary>
internal static unsafe partial class AgentNative
{
    private const int SOL_SOCKET = 1, SO_PEERCRED = 17, F_SETFD = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(nint fd, int level, int name, void* value, uint* length);

    [LibraryImport("libc", EntryPoint = "mkdtemp", SetLastError = true)]
    private static partial byte* MkdTemp(byte* template);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownCall(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "gethostname", SetLastError = true)]
    private static partial int GetHostName(byte* name, nuint length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(nint fd, int command, int argument);

    /// <summary>The effective uid of the process at the other end of a connected Unix socket (SO_PEERCRED), or null.</summary>
    public static uint? PeerUid(nint socket)
    {
        UCred cred;
        uint length = (uint)sizeof(UCred);
        return GetSockOpt(socket, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 ? cred.Uid : null;
    }

    /// <summary>mkdtemp(3): a new directory, mode 0700, from a template ending in X's; throws with strerror's text.</summary>
    public static string MakeTempDirectory(string template)
    {
        var bytes = Encoding.UTF8.GetBytes(template + "\0");
        fixed (byte* p = bytes)
        {
            if (MkdTemp(p) == null)
                throw new IOException(Marshal.GetLastPInvokeErrorMessage());
        }
        return Encoding.UTF8.GetString(bytes, 0, bytes.Length - 1);
    }

    /// <summary>chown(2); throws with strerror's text.</summary>
    public static void Chown(string path, uint uid, uint gid)
    {
        if (ChownCall(path, uid, gid) != 0)
            throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    public static string HostName()
    {
        var buffer = stackalloc byte[1025];
        if (GetHostName(buffer, 1024) != 0)
            return "localhost";
        buffer[1024] = 0;
        return Marshal.PtrToStringUTF8((nint)buffer) ?? "localhost";
    }

    /// <summary>Lets a spawned child inherit <paramref name="fd"/> (the runtime opens everything close-on-exec).</summary>
    public static void Inherit(nint fd) => Fcntl(fd, F_SETFD, 0);

    /// <summary>Keeps the programs we start (SSH_ASKPASS) from inheriting <paramref name="fd"/>.</summary>
    public static void CloseOnExec(nint fd) => Fcntl(fd, F_SETFD, 1);
}
