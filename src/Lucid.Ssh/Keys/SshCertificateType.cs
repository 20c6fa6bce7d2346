namespace Lucid.Ssh.Keys;

/// <summary>Whom an OpenSSH certificate vouches for (PROTOCOL.certkeys).</summary>
public enum SshCertificateType
{
    User = 1,
    Host = 2,
}
