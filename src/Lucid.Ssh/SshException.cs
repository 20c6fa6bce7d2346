namespace Lucid.Ssh;

/// <summary>Root of every failure Lucid reports on purpose; anything else escaping the library is a bug.</summary>
public class SshException : Exception
{
    public SshException(string message) : base(message) { }
    public SshException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The stage of the connection that failed, when the failure ended (or prevented) a connection.</summary>
    public SshStage? Stage { get; internal set; }

    /// <summary>Why, as data (the message says the same in OpenSSH's words); null when nothing more specific is known.</summary>
    public SshFailureCause? Cause { get; internal set; }
}

/// <summary>The peer (or a file posing as protocol data) broke the protocol; carries the disconnect reason to send.</summary>
public sealed class SshProtocolException : SshException
{
    public SshProtocolException(string message, DisconnectReason reason = DisconnectReason.ProtocolError)
        : base(message) => Reason = reason;

    public DisconnectReason Reason { get; }
}

/// <summary>Authentication could not succeed; <see cref="AllowedMethods"/> is what the server would still accept.</summary>
public sealed class SshAuthenticationException : SshException
{
    public SshAuthenticationException(string message, IReadOnlyList<string>? allowedMethods = null)
        : base(message) => AllowedMethods = allowedMethods ?? [];

    public IReadOnlyList<string> AllowedMethods { get; }
}

/// <summary>The network connection failed or was closed (refused, reset, timed out, disconnected by the peer).</summary>
public sealed class SshConnectionException : SshException
{
    public SshConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A key file could not be read; names the file and, for text formats, the line.</summary>
public sealed class SshKeyFormatException : SshException
{
    public SshKeyFormatException(string message, string? fileName = null, int line = 0)
        : base(Describe(message, fileName, line))
    {
        Problem = message;
        FileName = fileName;
        Line = line;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
    public string? FileName { get; }
    public int Line { get; }

    /// <summary>The same problem, now attributed to a file (and line) the caller knows about.</summary>
    public SshKeyFormatException At(string fileName, int line = 0) =>
        new(Problem, fileName, line == 0 ? Line : line);

    private static string Describe(string message, string? fileName, int line) => (fileName, line) switch
    {
        (null, _) => message,
        (_, 0) => $"{fileName}: {message}",
        _ => $"{fileName} line {line}: {message}",
    };
}

/// <summary>A private key is encrypted and the passphrase given was wrong (or missing).</summary>
public sealed class SshWrongPassphraseException : SshException
{
    public SshWrongPassphraseException(bool passphraseGiven)
        : base("incorrect passphrase supplied to decrypt private key") => PassphraseGiven = passphraseGiven;

    /// <summary>False when the key is encrypted and no passphrase was offered at all.</summary>
    public bool PassphraseGiven { get; }
}
