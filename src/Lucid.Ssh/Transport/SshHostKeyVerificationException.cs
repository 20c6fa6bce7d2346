namespace Lucid.Ssh.Transport;

/// <summary>The client's host key verifier refused the server's key; the CLI prints "Host key verification failed.".</summary>
public sealed class SshHostKeyVerificationException : SshException
{
    public SshHostKeyVerificationException(string message = "Host key verification failed.") : base(message) { }
}
