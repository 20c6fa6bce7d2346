namespace Lucid.Ssh.Keys;

/// <summary>The private key file formats ssh-keygen -m chooses between.</summary>
public enum PrivateKeyFormat
{
    /// <summary>openssh-key-v1, ssh-keygen's default ("-----BEGIN OPENSSH PRIVATE KEY-----").</summary>
    OpenSsh,

    /// <summary>-m PEM: PKCS#1 for RSA, SEC1 for ECDSA; legacy OpenSSL encryption with a passphrase.</summary>
    Pem,

    /// <summary>-m PKCS8: PKCS#8, PBES2-encrypted with a passphrase.</summary>
    Pkcs8,
}
