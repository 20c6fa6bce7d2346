using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>Collects formatted log lines for assertions.</summary>
internal sealed class ListLogger(List<string> lines) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines)
            lines.Add(formatter(state, exception));
    }
}
