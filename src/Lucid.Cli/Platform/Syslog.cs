using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Cli.Platform;

/// <summary>
/// Sends log lines to the local syslog daemon (rsyslog, or journald behind /dev/log) as glibc's syslog(3)
/// does: one datagram "&lt;PRI&gt;Mmm dd hh:mm:ss ident[pid]: message" per line on the Unix socket /dev/log.
/// </summary>
/// <remarks>
/// Why datagrams written here rather than libc's openlog/syslog through P/Invoke: syslog(3) is variadic,
/// which P/Invoke cannot declare portably; glibc hard-codes /dev/log, so a test could not point it at a
/// socket of its own; and glibc's send blocks when the daemon stalls, which would freeze every connection
/// behind the log lock. Here a line is queued and a thread of its own sends it, waiting as glibc does when
/// the daemon's queue is full (the kernel holds only /proc/sys/net/unix/max_dgram_qlen datagrams, 10 by
/// default: a burst of debug lines overflows it at once); a line is dropped only when the daemon is missing,
/// takes none for <see cref="SendTimeout"/>, or falls <see cref="MaxQueued"/> lines behind.
/// The wire format is the one glibc writes, so rsyslog and journald parse ident and pid the same way.
/// </remarks>
internal sealed class Syslog : IDisposable
{
    /// <summary>Set only by tests: a socket path to use instead of /dev/log.</summary>
    public const string SocketVariable = "LUCID_SYSLOG_SOCKET";

    /// <summary>syslog(3) caps a message near this size; OpenSSH itself cuts its lines at 500 characters.</summary>
    private const int MaxMessage = 500;

    /// <summary>Lines waiting for the daemon beyond which new ones are dropped, so a stuck daemon costs bounded memory.</summary>
    internal const int MaxQueued = 4096;

    /// <summary>How long one line may wait for room in the daemon's queue before it is given up.</summary>
    internal static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly string _ident;
    private readonly int _pid = Environment.ProcessId;
    private readonly BlockingCollection<byte[]> _queue = new(MaxQueued);
    private readonly Lock _gate = new();
    private Thread? _sender;

    public Syslog(string ident, int facility, string? path = null)
    {
        _ident = ident;
        Facility = facility;
        path ??= Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } p ? p : "/dev/log";
        _endPoint = new UnixDomainSocketEndPoint(path);
    }

    /// <summary>
    /// Whether a syslog daemon takes datagrams on the socket now (/dev/log or $LUCID_SYSLOG_SOCKET). Containers
    /// and minimal systems often have none, and then every line would be lost: sshd logs to stderr instead.
    /// </summary>
    public static bool DaemonListening()
    {
        var path = Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } p ? p : "/dev/log";
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The facility number (LOG_AUTH is 4); SIGHUP may change it.</summary>
    public int Facility { get; set; }

    /// <summary>Severities of syslog(3).</summary>
    public const int Critical = 2, Error = 3, Info = 6, Debug = 7;

    /// <summary>SyslogFacility names as sshd_config spells them, to facility numbers; null when unknown.</summary>
    public static int? ParseFacility(string name) => name.ToUpperInvariant() switch
    {
        "DAEMON" => 3,
        "USER" => 1,
        "AUTH" => 4,
        "AUTHPRIV" => 10,
        "LOCAL0" => 16,
        "LOCAL1" => 17,
        "LOCAL2" => 18,
        "LOCAL3" => 19,
        "LOCAL4" => 20,
        "LOCAL5" => 21,
        "LOCAL6" => 22,
        "LOCAL7" => 23,
        _ => null,
    };

    /// <summary>
    /// Queues one line for the daemon and returns at once; silently dropped when no daemon listens or it has
    /// fallen too far behind (as glibc drops lines without LOG_CONS).
    /// </summary>
    public void Write(int severity, string message)
    {
        message = Escape(message);
        if (message.Length > MaxMessage)
            message = message[..MaxMessage];
        // glibc's timestamp: local time, "%h %e %T", day padded with a space.
        var now = DateTime.Now;
        var stamp = now.ToString("MMM", CultureInfo.InvariantCulture) + " " +
            now.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " " + now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var line = $"<{Facility * 8 + severity}>{stamp} {_ident}[{_pid}]: {message}";
        lock (_gate)
        {
            if (_queue.IsAddingCompleted)
                return;
            _sender ??= StartSender();
            _queue.TryAdd(Encoding.UTF8.GetBytes(line));
        }
    }

    private Thread StartSender()
    {
        var thread = new Thread(SendQueued) { IsBackground = true, Name = "syslog" };
        thread.Start();
        return thread;
    }

    private void SendQueued()
    {
        // Blocking, so a send waits for room in the daemon's queue; unconnected, so each send finds the
        // daemon's socket anew and a restarted daemon is picked up.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
        {
            SendTimeout = (int)SendTimeout.TotalMilliseconds,
        };
        foreach (var line in _queue.GetConsumingEnumerable())
        {
            try
            {
                socket.SendTo(line, _endPoint);
            }
            catch (SocketException)
            {
                // No daemon (ENOENT, ECONNREFUSED) or none taking lines (timeout): this line is lost, the next is tried.
            }
        }
    }

    /// <summary>
    /// Control characters written C-style (\n, \t, \r) or in octal (\033), as OpenSSH's log.c does with
    /// strnvis before syslog: a user name sent by a client cannot start a forged line of its own.
    /// </summary>
    internal static string Escape(string message)
    {
        if (!message.Any(c => c < ' ' || c == '\x7f'))
            return message;
        var sb = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ' or '\x7f': sb.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0')); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Sends what is queued (waiting up to <see cref="SendTimeout"/> for it), then stops.</summary>
    public void Dispose()
    {
        Thread? sender;
        lock (_gate)
        {
            _queue.CompleteAdding();
            sender = _sender;
        }
        sender?.Join(SendTimeout);
    }
}
