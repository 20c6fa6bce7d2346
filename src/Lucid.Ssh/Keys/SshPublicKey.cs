namespace Lucid.Ssh.Keys;

/// <summary>
/// A public key of one of the supported types. The contract other layers rely on; the key-type table
/// (Keys/KeyAlgorithms) supplies the implementations.
/// </summary>
public abstract class SshPublicKey : IEquatable<SshPublicKey>
{
    /// <summary>The key type name as it appears on the wire and in files: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...</summary>
    public abstract string KeyType { get; }

    /// <summary>Size in bits as ssh-keygen reports it (256 for ed25519, the curve size for ECDSA, the modulus size for RSA).</summary>
    public abstract int SizeInBits { get; }

    /// <summary>The public key blob (RFC 4253 section 6.6 encoding).</summary>
    public abstract ReadOnlyMemory<byte> Blob { get; }

    /// <summary>The signature algorithms this key can verify, preferred first (for RSA: rsa-sha2-512, rsa-sha2-256, ssh-rsa).</summary>
    public abstract IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>
    /// Verifies an SSH signature blob (string algorithm, string signature) over <paramref name="data"/>.
    /// Returns false for a wrong or malformed signature, or one whose algorithm this key does not use.
    /// </summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob);

    public bool Equals(SshPublicKey? other) => other is not null && Blob.Span.SequenceEqual(other.Blob.Span);
    public override bool Equals(object? obj) => obj is SshPublicKey other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Blob.Span);
        return hash.ToHashCode();
    }
}
