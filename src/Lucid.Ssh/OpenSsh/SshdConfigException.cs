namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// sshd_config could not be loaded. The message is OpenSSH's wording ("/etc/ssh/sshd_config line 12:
/// Bad configuration option: Foo" style, one line per problem); <see cref="ExitCode"/> is what sshd exits with.
/// </summary>
public sealed class SshdConfigException : SshException
{
    public SshdConfigException(string message, int exitCode = 255) : base(message) => ExitCode = exitCode;

    /// <summary>255 for a bad configuration (sshd's fatal()), 1 for a file that cannot be opened.</summary>
    public int ExitCode { get; }
}
