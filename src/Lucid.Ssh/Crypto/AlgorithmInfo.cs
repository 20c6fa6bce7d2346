namespace Lucid.Ssh.Crypto;

/// <summary>The algorithm categories negotiated in KEXINIT.</summary>
public enum AlgorithmCategory
{
    Kex,
    HostKey,
    Cipher,
    Mac,
    Compression,
}

/// <summary>How much an algorithm can be trusted today; drives defaults and `lucid audit` grading.</summary>
public enum AlgorithmStatus
{
    /// <summary>Sound and enabled by default.</summary>
    Recommended,
    /// <summary>Works and is not known broken, but is weaker or older; only used when enabled explicitly.</summary>
    Legacy,
    /// <summary>Known weak (SHA-1 signatures or KEX hashes, 1024-bit DH); only used when enabled explicitly.</summary>
    Broken,
}

/// <summary>Facts shared by every algorithm table entry.</summary>
public abstract class AlgorithmInfo
{
    protected AlgorithmInfo(string name, AlgorithmStatus status, string since, bool enabledByDefault)
    {
        Name = name;
        Status = status;
        Since = since;
        EnabledByDefault = enabledByDefault;
    }

    public string Name { get; }
    public abstract AlgorithmCategory Category { get; }
    public AlgorithmStatus Status { get; }

    /// <summary>The OpenSSH release that introduced it ("" when it predates OpenSSH's history).</summary>
    public string Since { get; }

    /// <summary>Part of the default list (OpenSSH 10's defaults, for what Lucid implements).</summary>
    public bool EnabledByDefault { get; }

    public override string ToString() => Name;
}

/// <summary>A key exchange method; every one is modelled as a KEM (see <see cref="KeyExchangeMethod"/>).</summary>
public sealed class KexAlgorithmInfo : AlgorithmInfo
{
    internal KexAlgorithmInfo(string name, AlgorithmStatus status, string since, bool enabledByDefault,
        System.Security.Cryptography.HashAlgorithmName hash, Func<KeyExchangeMethod> create)
        : base(name, status, since, enabledByDefault)
    {
        Hash = hash;
        Create = create;
    }

    public override AlgorithmCategory Category => AlgorithmCategory.Kex;
    public System.Security.Cryptography.HashAlgorithmName Hash { get; }

    /// <summary>The diffie-hellman-group* methods: fixed or exchanged groups, no elliptic curve, no KEM.</summary>
    public bool IsFiniteFieldDh => Name.StartsWith("diffie-hellman-", StringComparison.Ordinal);

    /// <summary>
    /// A hybrid post-quantum method (ML-KEM or sntrup761 beside an ECDH): what OpenSSH 10's ssh calls a post-quantum key
    /// exchange, and does not warn about (WarnWeakCrypto).
    /// </summary>
    public bool IsPostQuantum => Name.StartsWith("mlkem", StringComparison.Ordinal) || Name.StartsWith("sntrup", StringComparison.Ordinal);

    internal Func<KeyExchangeMethod> Create { get; }
}

/// <summary>
/// A host key algorithm and the key type that produces it. A certificate algorithm
/// (ssh-ed25519-cert-v01@openssh.com, rsa-sha2-512-cert-v01@openssh.com) names a certificate key type, but the
/// exchange hash is signed by the certified key with the plain <see cref="SignatureAlgorithm"/> (PROTOCOL.certkeys).
/// </summary>
public sealed class HostKeyAlgorithmInfo : AlgorithmInfo
{
    internal HostKeyAlgorithmInfo(string name, string keyType, AlgorithmStatus status, string since, bool enabledByDefault,
        string? signatureAlgorithm = null)
        : base(name, status, since, enabledByDefault)
    {
        KeyType = keyType;
        SignatureAlgorithm = signatureAlgorithm ?? name;
    }

    public override AlgorithmCategory Category => AlgorithmCategory.HostKey;

    /// <summary>The key type whose keys make these signatures (ssh-rsa for rsa-sha2-512, ssh-rsa-cert-v01@openssh.com for rsa-sha2-512-cert-v01@openssh.com).</summary>
    public string KeyType { get; }

    /// <summary>The algorithm named in the signature blob: the name itself for plain keys, the plain one for certificates.</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>True for the *-cert-v01@openssh.com algorithms.</summary>
    public bool IsCertificate => SignatureAlgorithm != Name;
}

/// <summary>A cipher: sizes plus the factory of its per-direction packet protector.</summary>
public sealed class CipherAlgorithmInfo : AlgorithmInfo
{
    internal CipherAlgorithmInfo(string name, int keySize, int ivSize, int blockSize, int tagSize, AlgorithmStatus status,
        string since, bool enabledByDefault, Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, bool, PacketCipher> create)
        : base(name, status, since, enabledByDefault)
    {
        KeySize = keySize;
        IvSize = ivSize;
        BlockSize = blockSize;
        TagSize = tagSize;
        Create = create;
    }

    public override AlgorithmCategory Category => AlgorithmCategory.Cipher;
    public int KeySize { get; }
    public int IvSize { get; }
    public int BlockSize { get; }

    /// <summary>The authentication tag of an AEAD cipher; 0 for ciphers that need a MAC.</summary>
    public int TagSize { get; }

    /// <summary>AEAD ciphers authenticate packets themselves; the negotiated MAC is then ignored.</summary>
    public bool IsAead => TagSize > 0;

    /// <summary>(key, iv, encrypt) → cipher.</summary>
    internal Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, bool, PacketCipher> Create { get; }
}

/// <summary>A MAC: key and tag sizes, encrypt-then-MAC or not, and its factory.</summary>
public sealed class MacAlgorithmInfo : AlgorithmInfo
{
    internal MacAlgorithmInfo(string name, int keySize, int tagSize, bool encryptThenMac, AlgorithmStatus status, string since,
        bool enabledByDefault, Func<ReadOnlyMemory<byte>, PacketMac> create)
        : base(name, status, since, enabledByDefault)
    {
        KeySize = keySize;
        TagSize = tagSize;
        EncryptThenMac = encryptThenMac;
        Create = create;
    }

    public override AlgorithmCategory Category => AlgorithmCategory.Mac;
    public int KeySize { get; }
    public int TagSize { get; }
    public bool EncryptThenMac { get; }
    internal Func<ReadOnlyMemory<byte>, PacketMac> Create { get; }
}

/// <summary>A compression method; <see cref="Delayed"/> ones start only after user authentication succeeds.</summary>
public sealed class CompressionAlgorithmInfo : AlgorithmInfo
{
    internal CompressionAlgorithmInfo(string name, bool delayed, AlgorithmStatus status, string since, bool enabledByDefault)
        : base(name, status, since, enabledByDefault) => Delayed = delayed;

    public override AlgorithmCategory Category => AlgorithmCategory.Compression;
    public bool Delayed { get; }
    public bool IsNone => Name == "none";
}
