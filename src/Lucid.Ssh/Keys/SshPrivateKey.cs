using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>A private key able to sign; wipes its secret material on Dispose.</summary>
public abstract class SshPrivateKey : IDisposable, ISshSigner
{
    public abstract SshPublicKey PublicKey { get; }

    /// <summary>The comment stored with the key (openssh-key-v1 keeps one), or empty.</summary>
    public string Comment { get; set; } = "";

    /// <summary>The wire key type name of the public half.</summary>
    public string KeyType => PublicKey.KeyType;

    /// <summary>What <see cref="Sign(ReadOnlySpan{byte})"/> uses: rsa-sha2-512 for RSA, the key type otherwise.</summary>
    public string DefaultSignatureAlgorithm => PublicKey.SignatureAlgorithms[0];

    /// <summary>
    /// Signs <paramref name="data"/> and returns the SSH signature blob (string algorithm, string signature).
    /// <paramref name="signatureAlgorithm"/> must be one of PublicKey.SignatureAlgorithms.
    /// </summary>
    public abstract byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm);

    /// <summary>The <see cref="ISshSigner"/> view: signs in memory, synchronously.</summary>
    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sign(data.Span, signatureAlgorithm));
    }

    /// <summary>Signs with <see cref="DefaultSignatureAlgorithm"/> (never SHA-1).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => Sign(data, DefaultSignatureAlgorithm);

    /// <summary>
    /// A new key. <paramref name="keyType"/> is what ssh-keygen -t takes (ed25519, ecdsa, rsa) or a wire name;
    /// <paramref name="bits"/> 0 means the default (ECDSA 256, RSA 3072). Bad sizes throw with ssh-keygen's wording.
    /// </summary>
    public static SshPrivateKey Generate(string keyType, int bits = 0)
    {
        var algorithm = KeyAlgorithms.Resolve(keyType, bits);
        if (algorithm.KeyType == KeyAlgorithms.Ed25519 && bits != 0 && bits != 256)
            throw new SshException("Invalid ED25519 key length: only 256 bits is supported");
        return algorithm.Generate(bits);
    }

    /// <summary>Wraps a .NET RSA key with private parameters; the result owns it.</summary>
    public static SshPrivateKey FromRsa(RSA rsa) => RsaPrivateKey.FromRsa(rsa);

    /// <summary>Wraps a .NET ECDSA key (P-256/384/521) with private parameters; the result owns it.</summary>
    public static SshPrivateKey FromECDsa(ECDsa ecdsa) => EcdsaPrivateKey.FromECDsa(ecdsa);

    /// <summary>The Ed25519 key derived from a 32-byte seed.</summary>
    public static SshPrivateKey FromEd25519Seed(ReadOnlySpan<byte> seed) => Ed25519PrivateKey.FromSeed(seed);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);

    /// <summary>Refuses a signature algorithm this key does not sign with.</summary>
    protected void CheckAlgorithm(string signatureAlgorithm)
    {
        foreach (var name in PublicKey.SignatureAlgorithms)
        {
            if (name == signatureAlgorithm)
                return;
        }
        throw new ArgumentException($"a {KeyType} key cannot sign with {signatureAlgorithm}", nameof(signatureAlgorithm));
    }

    /// <summary>Writes the type-specific private fields of openssh-key-v1 (after the key type name, before the comment).</summary>
    internal virtual void WriteOpenSshFields(SshWriter writer) =>
        throw new NotSupportedException($"this {KeyType} key cannot be exported");
}
