using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// sd_listen_fds(3): systemd's socket activation (a `.socket` unit with Accept=no) starts the service with the
/// listening sockets already open on descriptors 3, 4, ... and says so in $LISTEN_FDS, for the process named by
/// $LISTEN_PID. The variables are removed once read, as sd_listen_fds(unset_environment=1) does, so that nothing we
/// start takes the descriptors for its own.
/// </summary>
internal static partial class SystemdSockets
{
    private const int FirstDescriptor = 3;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>The sockets passed to this process (none when it was not socket-activated).</summary>
    /// <exception cref="IOException">A passed descriptor is not a listening stream socket.</exception>
    public static List<Socket> Take()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var forPid) || forPid != Environment.ProcessId ||
            !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            return [];
        var sockets = new List<Socket>();
        for (var fd = FirstDescriptor; fd < FirstDescriptor + n; fd++)
        {
            // systemd passes them inheritable; the programs our sessions run must not get them.
            Fcntl(fd, F_SETFD, FD_CLOEXEC);
            Socket socket;
            try
            {
                socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            }
            catch (SocketException e)
            {
                throw new IOException($"LISTEN_FDS: descriptor {fd} is not a socket: {e.Message}");
            }
            if (socket.SocketType != SocketType.Stream || socket.LocalEndPoint is not System.Net.IPEndPoint)
            {
                socket.Dispose();
                throw new IOException($"LISTEN_FDS: descriptor {fd} is not a TCP socket (the .socket unit needs ListenStream=)");
            }
            sockets.Add(socket);
        }
        return sockets;
    }
}
