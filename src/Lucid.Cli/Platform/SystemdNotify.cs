using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Platform;

/// <summary>
/// sd_notify(3) for a `Type=notify` service, written here (libsystemd is not a dependency): one datagram of
/// "KEY=value" lines to the Unix socket named by $NOTIFY_SOCKET ("@name" is in the abstract namespace). Without
/// $NOTIFY_SOCKET every call does nothing, as sd_notify does. The variable is removed from our environment at once,
/// so nothing we start believes it is the service.
/// </summary>
internal static unsafe partial class SystemdNotify
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private static readonly string? s_path = TakeSocketPath();

    private static string? TakeSocketPath()
    {
        var path = Environment.GetEnvironmentVariable(SocketVariable);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        return path is { Length: > 1 } && (path[0] == '/' || path[0] == '@') ? path : null;
    }

    /// <summary>True when a service manager asked to be told (the variable was set to a usable socket).</summary>
    public static bool Enabled => s_path is not null;

    /// <summary>Start-up is complete: the sockets listen. MAINPID names us, which matters when we are not the process systemd started.</summary>
    public static void Ready() => Send($"READY=1\nMAINPID={Environment.ProcessId}\nSTATUS=Listening");

    /// <summary>
    /// A reload (SIGHUP) begins. systemd (since 253, Type=notify-reload) wants MONOTONIC_USEC, the CLOCK_MONOTONIC time
    /// the reload started, so that it can tell this reload from an earlier one; <see cref="Ready"/> follows when done.
    /// </summary>
    public static void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}\nSTATUS=Reloading the configuration");

    /// <summary>Shutting down.</summary>
    public static void Stopping() => Send("STOPPING=1\nSTATUS=Stopping");

    private static void Send(string message)
    {
        if (s_path is null)
            return;
        // An abstract socket's name starts with a NUL byte where the variable has '@'.
        var endPoint = new UnixDomainSocketEndPoint(s_path[0] == '@' ? "\0" + s_path[1..] : s_path);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(message), endPoint);
        }
        catch (SocketException)
        {
            // sd_notify's callers ignore its failures too: the service runs the same whether or not systemd hears.
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    private const int CLOCK_MONOTONIC = 1;

    private static long MonotonicMicroseconds()
    {
        TimeSpec now;
        ClockGetTime(CLOCK_MONOTONIC, &now);
        return now.Seconds * 1_000_000 + now.Nanoseconds / 1000;
    }
}
