using Microsoft.Extensions.Logging;
using MsLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Renders the library's ILogger output as OpenSSH's -v lines: Debug becomes debug1, Trace debug2 (and
/// debug3 with -vvv), Information verbose, warnings and errors plain lines.
/// </summary>
internal sealed class SshLoggerProvider(SshLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log);

    public void Dispose() { }

    private sealed class Logger(SshLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(MsLogLevel logLevel) => Map(logLevel) <= log.Level;

        public void Log<TState>(MsLogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = Map(logLevel);
            if (level > log.Level)
                return;
            var message = formatter(state, exception);
            switch (level)
            {
                case LogLevel.Debug1:
                    log.Debug1(message);
                    break;
                case LogLevel.Debug2:
                    log.Debug2(message);
                    break;
                default:
                    log.Write(level, message);
                    break;
            }
        }

        private static LogLevel Map(MsLogLevel level) => level switch
        {
            MsLogLevel.Trace => LogLevel.Debug2,
            MsLogLevel.Debug => LogLevel.Debug1,
            MsLogLevel.Information => LogLevel.Verbose,
            MsLogLevel.Warning => LogLevel.Info,
            MsLogLevel.Error => LogLevel.Error,
            MsLogLevel.Critical => LogLevel.Fatal,
            _ => (LogLevel)100,
        };
    }
}
