using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>Reads the fields that follow the key type name in a public key blob.</summary>
internal delegate SshPublicKey PublicKeyReader(ref SshReader reader);

/// <summary>Reads the fields that follow the key type name in an openssh-key-v1 private key (the comment excluded).</summary>
internal delegate SshPrivateKey PrivateKeyReader(ref SshReader reader);

/// <summary>
/// One row of the key-type table: everything Lucid knows about a key type, looked up by its name
/// instead of being spread across if/else chains.
/// </summary>
public sealed class KeyAlgorithm
{
    internal KeyAlgorithm(
        string keyType,
        string shortName,
        IReadOnlyList<string> signatureAlgorithms,
        IReadOnlyList<int> validBits,
        int defaultBits,
        PublicKeyReader readPublic,
        PrivateKeyReader readPrivate,
        Func<int, SshPrivateKey> generate)
    {
        KeyType = keyType;
        ShortName = shortName;
        SignatureAlgorithms = signatureAlgorithms;
        ValidBits = validBits;
        DefaultBits = defaultBits;
        ReadPublic = readPublic;
        ReadPrivate = readPrivate;
        Generate = generate;
    }

    /// <summary>The name on the wire and in files, e.g. ecdsa-sha2-nistp256.</summary>
    public string KeyType { get; }

    /// <summary>The family name ssh-keygen's -t takes and prints in brackets: ED25519, ECDSA, RSA (lower-case here).</summary>
    public string ShortName { get; }

    /// <summary>Signature algorithms usable with this key type, preferred first.</summary>
    public IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>The sizes this row generates; empty when any size in a range is allowed (RSA).</summary>
    public IReadOnlyList<int> ValidBits { get; }

    public int DefaultBits { get; }

    internal PublicKeyReader ReadPublic { get; }
    internal PrivateKeyReader ReadPrivate { get; }
    internal Func<int, SshPrivateKey> Generate { get; }

    public override string ToString() => KeyType;
}
