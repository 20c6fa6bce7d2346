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
/// behind the log lock. Here the socket is non-blocking and a line the daemon cannot take is dropped.
/// The wire format is the one glibc writes, so rsyslog and journald parse ident and pid the same way.
/// </remarks>
internal sealed class Syslog : IDisposable
{
    /// <summary>Set only by tests: a socket path to use instead of /dev/log.</summary>
    public const string SocketVariable = "LUCID_SYSLOG_SOCKET";

    /// <summary>syslog(3) caps a message near this size; OpenSSH itself cuts its lines at 500 characters.</summary>
    private const int MaxMessage = 500;

    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly string _ident;
    private readonly int _pid = Environment.ProcessId;
    private readonly Lock _gate = new();
    private Socket? _socket;

    public Syslog(string ident, int facility, string? path = null)
    {
        _ident = ident;
        Facility = facility;
        path ??= Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } p ? p : "/dev/log";
        _endPoint = new UnixDomainSocketEndPoint(path);
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

    /// <summary>Sends one line; silently dropped when no daemon listens or it cannot keep up (as glibc does without LOG_CONS).</summary>
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
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
                // Unconnected: each send finds the daemon's socket anew, so a restarted daemon is picked up.
                _socket.SendTo(bytes, _endPoint);
            }
            catch (SocketException)
            {
                // No daemon (ENOENT, ECONNREFUSED) or a full queue (EAGAIN): the line is lost, the server goes on.
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

    public void Dispose()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
