using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An Ed25519 private key. The 64-byte secret (seed then public key) lives in a pinned array so the GC never leaves copies behind.</summary>
public sealed class Ed25519PrivateKey : SshPrivateKey
{
    private readonly byte[] _secret = GC.AllocateArray<byte>(Sodium.Ed25519SecretKeySize, pinned: true);
    private readonly Ed25519PublicKey _publicKey;
    private bool _disposed;

    private Ed25519PrivateKey(ReadOnlySpan<byte> seed)
    {
        Span<byte> publicKey = stackalloc byte[Sodium.Ed25519PublicKeySize];
        Sodium.Ed25519KeyPairFromSeed(publicKey, _secret, seed);
        _publicKey = new Ed25519PublicKey(publicKey);
    }

    /// <summary>The key whose 32-byte seed (RFC 8032's "private key") is <paramref name="seed"/>.</summary>
    public static Ed25519PrivateKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Sodium.Ed25519SeedSize)
            throw new SshKeyFormatException($"invalid ssh-ed25519 private key: seed of {seed.Length} bytes instead of 32");
        return new Ed25519PrivateKey(seed);
    }

    public static Ed25519PrivateKey Generate()
    {
        Span<byte> seed = stackalloc byte[Sodium.Ed25519SeedSize];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return new Ed25519PrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    // The secret sits in a pinned array outside the RSA/ECDSA objects' native memory, so a key that is
    // never disposed is still wiped when collected.
    ~Ed25519PrivateKey() => Dispose(false);

    public override SshPublicKey PublicKey => _publicKey;

    /// <summary>Copies the 32-byte seed out; the caller wipes it.</summary>
    public void ExportSeed(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _secret.AsSpan(0, Sodium.Ed25519SeedSize).CopyTo(destination);
    }

    public override byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckAlgorithm(signatureAlgorithm);
        Span<byte> signature = stackalloc byte[Sodium.Ed25519SignatureSize];
        Sodium.Ed25519Sign(signature, data, _secret);
        return SignatureBlob.Create(KeyAlgorithms.Ed25519, signature);
    }

    // openssh-key-v1: string public key, string secret (seed || public key).
    internal override void WriteOpenSshFields(SshWriter writer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        writer.WriteString(_publicKey.Key.Span).WriteString(_secret);
    }

    internal static SshPrivateKey ReadOpenSshFields(ref SshReader reader)
    {
        var publicKey = reader.ReadString();
        var secret = reader.ReadString();
        if (publicKey.Length != Sodium.Ed25519PublicKeySize || secret.Length != Sodium.Ed25519SecretKeySize)
            throw new SshKeyFormatException("invalid format: wrong ssh-ed25519 key length");
        var key = new Ed25519PrivateKey(secret[..Sodium.Ed25519SeedSize]);
        // The stored public halves must match what the seed derives, or the file is corrupt.
        if (!key._publicKey.Key.Span.SequenceEqual(publicKey) || !secret[Sodium.Ed25519SeedSize..].SequenceEqual(publicKey))
        {
            key.Dispose();
            throw new SshKeyFormatException("invalid format: ssh-ed25519 public key does not match the private key");
        }
        return key;
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secret);
    }
}
