namespace Lucid.Ssh.Crypto;

/// <summary>
/// A post-quantum key encapsulation mechanism as the hybrid key exchanges use it: the client makes a key pair and
/// sends the public key; the server encapsulates a fresh secret to it and sends the ciphertext; the client
/// decapsulates. Every size is fixed, so <see cref="HybridKem"/> splits and checks the wire values by them.
/// </summary>
internal abstract class PostQuantumKem : IDisposable
{
    public abstract int PublicKeySize { get; }
    public abstract int CiphertextSize { get; }

    /// <summary>Client: makes the key pair, keeps the private half and returns the public key.</summary>
    public abstract byte[] GenerateKeyPair();

    /// <summary>Server: a fresh shared secret and its ciphertext for <paramref name="publicKey"/> (already of the right size).</summary>
    /// <exception cref="SshProtocolException">The public key is malformed (e.g. fails ML-KEM's modulus check).</exception>
    public abstract byte[] Encapsulate(ReadOnlySpan<byte> publicKey, out byte[] sharedSecret);

    /// <summary>Client: the shared secret from the server's ciphertext (already of the right size).</summary>
    public abstract byte[] Decapsulate(ReadOnlySpan<byte> ciphertext);

    public virtual void Dispose()
    {
    }
}
