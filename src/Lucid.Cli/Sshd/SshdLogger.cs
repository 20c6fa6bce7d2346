using Lucid.Cli.Platform;
using Microsoft.Extensions.Logging;

namespace Lucid.Cli.Sshd;

/// <summary>
/// sshd's log, filtered by LogLevel (QUIET FATAL ERROR INFO VERBOSE DEBUG1-3, raised by -d), going where
/// OpenSSH's goes: to stderr (-e, -d, or a file with -E) as plain lines with "debug1: " on debug lines
/// (Trace is debug2), or else to syslog, where errors also carry "error: " and fatal lines "fatal: ".
/// </summary>
internal sealed class SshdLogger(TextWriter output) : ILogger
{
    private readonly Lock _gate = new();

    /// <summary>0 QUIET, 1 FATAL, 2 ERROR, 3 INFO, 4 VERBOSE, 5 DEBUG1, 6 DEBUG2, 7 DEBUG3.</summary>
    public int Level { get; set; } = 3;

    /// <summary>When set, lines go to syslog instead of <c>output</c>.</summary>
    public Syslog? Syslog { get; init; }

    public static int ParseLevel(string name) => name switch
    {
        "QUIET" => 0,
        "FATAL" => 1,
        "ERROR" => 2,
        "INFO" => 3,
        "VERBOSE" => 4,
        "DEBUG" or "DEBUG1" => 5,
        "DEBUG2" => 6,
        "DEBUG3" => 7,
        _ => 3,
    };

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var level = logLevel switch
        {
            LogLevel.Critical => 1,
            LogLevel.Error => 2,
            LogLevel.Warning or LogLevel.Information => 3,
            LogLevel.Debug when eventId.Id == Lucid.Ssh.Server.SshServerLogEvents.Verbose => 4,
            LogLevel.Debug => 5,
            _ => 6,
        };
        Write(level, formatter(state, exception));
    }

    /// <summary>Logs one line at sshd's <paramref name="level"/> (the numbers of <see cref="Level"/>).</summary>
    public void Write(int level, string message)
    {
        if (level > Level)
            return;
        var debug = level switch { 5 => "debug1: ", 6 => "debug2: ", 7 => "debug3: ", _ => "" };
        if (Syslog is { } syslog)
        {
            // OpenSSH's log.c: errors are only marked as such on syslog (stderr readers see them anyway).
            var prefix = level switch { 1 => "fatal: ", 2 => "error: ", _ => debug };
            var severity = level switch { 1 => Syslog.Critical, 2 => Syslog.Error, 3 or 4 => Syslog.Info, _ => Syslog.Debug };
            syslog.Write(severity, Truncate(prefix + message, MaxSyslogLine));
            return;
        }
        var line = Truncate(debug + message, MaxLine);
        lock (_gate)
        {
            output.Write(line + "\n");
            output.Flush();
        }
    }

    /// <summary>
    /// OpenSSH's log.c formats a line into 1 KiB (1023 bytes of text) and hands syslog at most 500 of them: a peer's
    /// text quoted in a line (its whole KEXINIT in "no matching ... Their offer: ...", its banner, a user name) can
    /// then never make one connection write megabytes of log.
    /// </summary>
    public const int MaxLine = 1023;

    public const int MaxSyslogLine = 500;

    /// <summary><paramref name="text"/> cut to at most <paramref name="maxBytes"/> bytes of UTF-8, never inside a character.</summary>
    public static string Truncate(string text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3 || System.Text.Encoding.UTF8.GetByteCount(text) <= maxBytes)
            return text;
        int bytes = 0, length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
                break;
            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }
        return text[..length];
    }
}
