namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// ssh_config could not be used. <see cref="Lines"/> are exactly what OpenSSH's ssh prints to stderr in the same
/// situation (for example "/home/u/.ssh/config line 3: Bad port 'x'." then
/// "/home/u/.ssh/config: terminating, 1 bad configuration options"); ssh then exits with 255.
/// </summary>
public sealed class SshConfigException : SshException
{
    public SshConfigException(IReadOnlyList<string> lines, IReadOnlyList<SshConfigMessage>? log = null)
        : base(string.Join(Environment.NewLine, lines))
    {
        Lines = lines;
        Log = log ?? lines.Select(l => new SshConfigMessage(0, l)).ToList();
        Standalone = log is null;
    }

    /// <summary>Raised by a helper that knows nothing of the messages logged before it (token expansion).</summary>
    internal bool Standalone { get; }

    /// <summary>The diagnostic lines, in order, without trailing newlines.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>Everything logged up to the failure, debug messages included, in order.</summary>
    public IReadOnlyList<SshConfigMessage> Log { get; }

    /// <summary>The exit status OpenSSH's ssh uses for this failure.</summary>
    public int ExitCode => 255;
}
