namespace Lucid.Cli.Ssh;

/// <summary>
/// A mistake on the command line or in a config file. <see cref="Text"/> is printed to stderr exactly as
/// given (OpenSSH ends some of these lines with "\r\n" and others with "\n"); ssh then exits 255.
/// </summary>
internal sealed class SshUsageException(string text) : Exception(text.TrimEnd())
{
    public string Text { get; } = text;

    /// <summary>A config or -o error as OpenSSH words it: "command-line line 0: ...".</summary>
    public static SshUsageException Config(string source, int line, string problem) =>
        new($"{source} line {line}: {problem}\r\n");
}
