using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Platform;

/// <summary>
/// Unix-domain sockets reached and created as a user, for streamlocal forwarding in `lucid sshd`: the socket(2),
/// connect(2), bind(2), chmod(2) and listen(2) calls run on a thread switched to the user's credentials
/// (<see cref="ThreadCredentials"/>), so the kernel checks the user's rights on the path, and a socket created is
/// the user's. Everything the calls need is prepared before the switch; they neither allocate nor throw.
/// </summary>
internal static unsafe partial class UserUnixSockets
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int SunPathLength = 108;
    private const int Eacces = 13;
    private const int Enametoolong = 36;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int Connect(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true)]
    private static partial int Chmod(byte* path, uint mode);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true)]
    private static partial int Unlink(byte* path);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    /// <summary>connect(2) to <paramref name="path"/> as <paramref name="user"/>.</summary>
    public static System.Net.Sockets.Socket ConnectAs(SshServerUser user, string path) =>
        RunAs(user, path, (fd, address, length, _) => Connect(fd, address, length) == 0 ? 0 : Marshal.GetLastPInvokeError(), 0, false);

    /// <summary>bind(2), chmod(2) and listen(2) on <paramref name="path"/> as <paramref name="user"/>.</summary>
    public static System.Net.Sockets.Socket ListenAs(SshServerUser user, string path, int bindMask, bool unlinkFirst) =>
        RunAs(user, path, static (fd, address, length, mode) =>
        {
            var pathPointer = address + 2;
            if (Bind(fd, address, length) != 0)
                return Marshal.GetLastPInvokeError();
            if (Chmod(pathPointer, mode) != 0 || Listen(fd, 128) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                Unlink(pathPointer);
                return errno;
            }
            return 0;
        }, (uint)(0b110_110_110 & ~bindMask), unlinkFirst);

    private static IOException Failure(int errno) => new(Marshal.GetPInvokeErrorMessage(errno));

    private delegate int SocketCall(int fd, byte* address, int length, uint mode);

    private static System.Net.Sockets.Socket RunAs(SshServerUser user, string path, SocketCall call, uint mode, bool unlinkFirst)
    {
        var encoded = Encoding.UTF8.GetBytes(path);
        if (encoded.Length >= SunPathLength)
            throw Failure(Enametoolong);
        // struct sockaddr_un: sa_family_t, then the NUL-terminated path.
        var address = new byte[2 + SunPathLength];
        address[0] = AfUnix;
        encoded.CopyTo(address, 2);
        var length = 2 + encoded.Length + 1;
        var groups = Users.GroupIdsOf(user.Name, user.Gid);
        int fd = -1;
        int errno;
        fixed (byte* a = address)
        {
            var pointer = a;
            int Run()
            {
                if (unlinkFirst)
                    Unlink(pointer + 2);
                fd = Socket(AfUnix, SockStream | SockNonBlock | SockCloexec, 0);
                if (fd < 0)
                    return Marshal.GetLastPInvokeError();
                var result = call(fd, pointer, length, mode);
                if (result != 0)
                {
                    Close(fd);
                    fd = -1;
                }
                return result;
            }
            if (GetEuid() == user.Uid)
                errno = Run();
            else if (!ThreadCredentials.Available || !ThreadCredentials.TryRunAs(user.Uid, user.Gid, groups, Run, out errno))
                throw Failure(Eacces);
        }
        if (errno != 0)
            throw Failure(errno);
        return new System.Net.Sockets.Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }
}
