namespace Lucid.Ssh.Transport;

/// <summary>The client's host key verifier refused the server's key; the CLI prints "Host key verification failed.".</summary>
public sealed class SshHostKeyVerificationException : SshException
{
    public SshHostKeyVerificationException(string message = "Host key verification failed.") : base(message) => Stage = SshStage.HostKey;

    /// <summary>
    /// For a verifier that knows more than yes or no: throw this with <see cref="SshFailureCause.HostKeyMismatch"/>
    /// (say) instead of returning false, and the failure carries that cause.
    /// </summary>
    public SshHostKeyVerificationException(SshFailureCause cause, string message = "Host key verification failed.") : this(message) =>
        Cause = cause;
}
