namespace Lucid.Cli.Keygen;

/// <summary>A getopt error: the message, then the usage text, exit 1 (as ssh-keygen's usage()).</summary>
internal sealed class KeygenUsageException(string message) : Exception(message);

/// <summary>OpenSSH's fatal(): the message on stderr and exit 255 (or the given code).</summary>
internal sealed class KeygenFatalException(string message, int exitCode = 255) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>exit(code) with nothing printed, as ssh-keygen does when the user declines or input ends.</summary>
    public static KeygenFatalException Exit(int code) => new("", code);
}
