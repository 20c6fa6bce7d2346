using System.Net.Sockets;
using Lucid.Ssh.Server;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// Unix-domain sockets made and reached with a user's rights, for streamlocal forwarding: a server running as root
/// must not let a user reach or create a socket file the user could not. `lucid sshd`'s backend implements it with a
/// per-thread credential switch; a server whose <see cref="SshServerOptions.Backend"/> does not is allowed these
/// forwards only when it does not run as root, or for root itself (the process's own rights are then the user's, or more).
/// </summary>
public interface ISshServerUnixSockets
{
    /// <summary>Connects to <paramref name="path"/> as <paramref name="user"/>; failures throw an IOException (or SocketException) in the system's words.</summary>
    Socket Connect(SshServerUser user, string path);

    /// <summary>
    /// Binds and listens on <paramref name="path"/> as <paramref name="user"/>, the file's mode 0666 less
    /// <paramref name="bindMask"/> (StreamLocalBindMask), first removing a file already there when
    /// <paramref name="unlinkFirst"/> (StreamLocalBindUnlink). Failures throw an IOException (or SocketException) in the system's words.
    /// </summary>
    Socket Listen(SshServerUser user, string path, int bindMask, bool unlinkFirst);
}

/// <summary>The sockets made with this process's own rights, for when those are the user's (or root's for root).</summary>
internal sealed class InProcessUnixSockets : ISshServerUnixSockets
{
    public static InProcessUnixSockets Instance { get; } = new();

    public Socket Connect(SshServerUser user, string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Socket Listen(SshServerUser user, string path, int bindMask, bool unlinkFirst)
    {
        if (unlinkFirst)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // bind reports what matters (EADDRINUSE).
            }
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, (UnixFileMode)(0b110_110_110 & ~bindMask));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
