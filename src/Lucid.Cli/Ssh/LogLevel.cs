namespace Lucid.Cli.Ssh;

/// <summary>OpenSSH's LogLevel values, least to most verbose.</summary>
internal enum LogLevel { Quiet, Fatal, Error, Info, Verbose, Debug1, Debug2, Debug3 }

internal static class LogLevels
{
    public static LogLevel? Parse(string value) => value.ToUpperInvariant() switch
    {
        "QUIET" or "SILENT" => LogLevel.Quiet,
        "FATAL" => LogLevel.Fatal,
        "ERROR" => LogLevel.Error,
        "INFO" => LogLevel.Info,
        "VERBOSE" => LogLevel.Verbose,
        "DEBUG" or "DEBUG1" => LogLevel.Debug1,
        "DEBUG2" => LogLevel.Debug2,
        "DEBUG3" => LogLevel.Debug3,
        _ => null,
    };
}
