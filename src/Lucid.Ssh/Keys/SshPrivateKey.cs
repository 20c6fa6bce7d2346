namespace Lucid.Ssh.Keys;

/// <summary>A private key able to sign; wipes its secret material on Dispose.</summary>
public abstract class SshPrivateKey : IDisposable
{
    public abstract SshPublicKey PublicKey { get; }

    /// <summary>The comment stored with the key (openssh-key-v1 keeps one), or empty.</summary>
    public string Comment { get; set; } = "";

    /// <summary>
    /// Signs <paramref name="data"/> and returns the SSH signature blob (string algorithm, string signature).
    /// <paramref name="signatureAlgorithm"/> must be one of PublicKey.SignatureAlgorithms.
    /// </summary>
    public abstract byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
