using System.Security.Cryptography;

namespace Lucid.Ssh.Keys;

/// <summary>The key-type table: every key type Lucid reads, writes, signs and verifies with.</summary>
public static class KeyAlgorithms
{
    public const string Ed25519 = "ssh-ed25519";
    public const string EcdsaNistP256 = "ecdsa-sha2-nistp256";
    public const string EcdsaNistP384 = "ecdsa-sha2-nistp384";
    public const string EcdsaNistP521 = "ecdsa-sha2-nistp521";
    public const string Rsa = "ssh-rsa";
    public const string RsaSha256 = "rsa-sha2-256";
    public const string RsaSha512 = "rsa-sha2-512";

    /// <summary>OpenSSH refuses RSA keys below this size (SSH_RSA_MINIMUM_MODULUS_SIZE).</summary>
    public const int RsaMinimumBits = 1024;

    /// <summary>OpenSSH's upper bound for RSA moduli (SSHBUF_MAX_BIGNUM bytes).</summary>
    public const int RsaMaximumBits = 16384;

    public const int RsaDefaultBits = 3072;

    private static readonly KeyAlgorithm[] s_all =
    [
        new(Ed25519, "ed25519", [Ed25519], [256], 256,
            Ed25519PublicKey.ReadBlobFields, Ed25519PrivateKey.ReadOpenSshFields, _ => Ed25519PrivateKey.Generate()),
        EcdsaRow(EcdsaCurve.NistP256),
        EcdsaRow(EcdsaCurve.NistP384),
        EcdsaRow(EcdsaCurve.NistP521),
        new(Rsa, "rsa", [RsaSha512, RsaSha256, Rsa], [], RsaDefaultBits,
            RsaPublicKey.ReadBlobFields, RsaPrivateKey.ReadOpenSshFields, RsaPrivateKey.Generate),
    ];

    private static readonly Dictionary<string, KeyAlgorithm> s_byName = s_all.ToDictionary(a => a.KeyType, StringComparer.Ordinal);

    /// <summary>Every supported key type, in the order ssh -Q key lists them.</summary>
    public static IReadOnlyList<KeyAlgorithm> All => s_all;

    /// <summary>The row for a wire key type name, or null when Lucid does not know it.</summary>
    public static KeyAlgorithm? Find(string keyType) => s_byName.GetValueOrDefault(keyType);

    /// <summary>The key type a signature (or host key) algorithm belongs to: rsa-sha2-256 → ssh-rsa, rsa-sha2-512-cert-v01@openssh.com → ssh-rsa-cert-v01@openssh.com; null if unknown.</summary>
    public static string? KeyTypeOfSignatureAlgorithm(string signatureAlgorithm) => signatureAlgorithm switch
    {
        RsaSha256 or RsaSha512 or Rsa => Rsa,
        _ when s_byName.ContainsKey(signatureAlgorithm) => signatureAlgorithm,
        "rsa-sha2-256-cert-v01@openssh.com" or "rsa-sha2-512-cert-v01@openssh.com" => SshCertificate.CertificateTypeOf(Rsa),
        _ when SshCertificate.PlainTypeOf(signatureAlgorithm) is not null => signatureAlgorithm,
        _ => null,
    };

    /// <summary>
    /// The wire key type for ssh-keygen's -t and -b: "ed25519", "ecdsa" (bits picks the curve), "rsa",
    /// or a full name such as ecdsa-sha2-nistp384. Throws with ssh-keygen's wording for a bad size.
    /// </summary>
    public static KeyAlgorithm Resolve(string keyType, int bits)
    {
        switch (keyType.ToLowerInvariant())
        {
            case "ed25519":
            case Ed25519:
                return s_byName[Ed25519];
            case "rsa":
            case Rsa:
                return s_byName[Rsa];
            case "ecdsa":
                return bits switch
                {
                    0 or 256 => s_byName[EcdsaNistP256],
                    384 => s_byName[EcdsaNistP384],
                    521 => s_byName[EcdsaNistP521],
                    _ => throw new SshException("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits"),
                };
            default:
                return Find(keyType) ?? throw new SshException($"unknown key type {keyType}");
        }
    }

    /// <summary>The hash a signature algorithm uses.</summary>
    internal static HashAlgorithmName HashOf(string signatureAlgorithm) => signatureAlgorithm switch
    {
        Rsa => HashAlgorithmName.SHA1,
        RsaSha256 or EcdsaNistP256 => HashAlgorithmName.SHA256,
        RsaSha512 or EcdsaNistP521 => HashAlgorithmName.SHA512,
        EcdsaNistP384 => HashAlgorithmName.SHA384,
        _ => throw new ArgumentException($"no hash is defined for {signatureAlgorithm}", nameof(signatureAlgorithm)),
    };

    private static KeyAlgorithm EcdsaRow(EcdsaCurve curve) =>
        new(curve.KeyType, "ecdsa", [curve.KeyType], [curve.Bits], curve.Bits,
            (ref Wire.SshReader reader) => EcdsaPublicKey.ReadBlobFields(ref reader, curve),
            (ref Wire.SshReader reader) => EcdsaPrivateKey.ReadOpenSshFields(ref reader, curve),
            _ => EcdsaPrivateKey.Generate(curve));
}
