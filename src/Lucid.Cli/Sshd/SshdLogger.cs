using Microsoft.Extensions.Logging;

namespace Lucid.Cli.Sshd;

/// <summary>
/// sshd's log on stderr: INFO and VERBOSE lines as they are, debug lines as "debug1: ..." (Trace is
/// debug2), filtered by LogLevel (QUIET FATAL ERROR INFO VERBOSE DEBUG1-3) and raised by -d.
/// </summary>
internal sealed class SshdLogger(TextWriter output) : ILogger
{
    private readonly Lock _gate = new();

    /// <summary>0 QUIET, 1 FATAL, 2 ERROR, 3 INFO, 4 VERBOSE, 5 DEBUG1, 6 DEBUG2, 7 DEBUG3.</summary>
    public int Level { get; set; } = 3;

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
        if (level > Level)
            return;
        var prefix = level switch { 5 => "debug1: ", 6 => "debug2: ", _ => "" };
        var message = formatter(state, exception);
        lock (_gate)
        {
            output.Write(prefix + message + "\n");
            output.Flush();
        }
    }
}
