using System.Text;
using Lucid.Cli.Platform;

namespace Lucid.Cli.Ssh;

/// <summary>
/// ssh's own messages, written as OpenSSH's log.c does on stderr: one line ending "\r\n" (so it also
/// reads right while the terminal is raw), filtered by LogLevel, to stderr or the -E file.
/// </summary>
internal sealed class SshLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly FileStream? _file;

    public SshLog(LogLevel level, string? logFile)
    {
        Level = level;
        if (logFile is not null)
            _file = new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
    }

    public LogLevel Level { get; set; }

    public void Fatal(string message) => Write(LogLevel.Fatal, message);
    public void Error(string message) => Write(LogLevel.Error, message);
    public void Info(string message) => Write(LogLevel.Info, message);
    public void Verbose(string message) => Write(LogLevel.Verbose, message);
    public void Debug1(string message) => Write(LogLevel.Debug1, "debug1: " + message);
    public void Debug2(string message) => Write(LogLevel.Debug2, "debug2: " + message);
    public void Debug3(string message) => Write(LogLevel.Debug3, "debug3: " + message);

    public void Write(LogLevel level, string message)
    {
        if (level > Level)
            return;
        var bytes = Encoding.UTF8.GetBytes(message + "\r\n");
        lock (_gate)
        {
            if (_file is not null)
            {
                _file.Write(bytes);
                _file.Flush();
            }
            else
            {
                Libc.WriteAll(Libc.STDERR_FILENO, bytes);
            }
        }
    }

    /// <summary>Text that is not a log line (prompts' companions, usage) straight to stderr.</summary>
    public static void Raw(string text) => Libc.WriteAll(Libc.STDERR_FILENO, Encoding.UTF8.GetBytes(text));

    public void Dispose() => _file?.Dispose();
}
