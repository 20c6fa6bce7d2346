using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// Every algorithm Lucid implements, one table per category, in OpenSSH 10's preference order. The same
/// tables drive defaults, KEXINIT negotiation, `ssh -Q` listings, `+,-,^` list edits and audit grading.
/// </summary>
public static class AlgorithmRegistry
{
    private const AlgorithmStatus Ok = AlgorithmStatus.Recommended;
    private const AlgorithmStatus Legacy = AlgorithmStatus.Legacy;
    private const AlgorithmStatus Broken = AlgorithmStatus.Broken;

    public static IReadOnlyList<KexAlgorithmInfo> Kex { get; } =
    [
        new("mlkem768x25519-sha256", Ok, "9.9", true, HashAlgorithmName.SHA256, MlKem768X25519),
        new("sntrup761x25519-sha512", Ok, "9.9", true, HashAlgorithmName.SHA512, Sntrup761X25519),
        new("sntrup761x25519-sha512@openssh.com", Ok, "8.5", true, HashAlgorithmName.SHA512, Sntrup761X25519),
        new("curve25519-sha256", Ok, "7.4", true, HashAlgorithmName.SHA256, () => new Curve25519Kem()),
        new("curve25519-sha256@libssh.org", Ok, "6.5", true, HashAlgorithmName.SHA256, () => new Curve25519Kem()),
        new("ecdh-sha2-nistp256", Ok, "5.7", true, HashAlgorithmName.SHA256, () => new EcdhKem(ECCurve.NamedCurves.nistP256)),
        new("ecdh-sha2-nistp384", Ok, "5.7", true, HashAlgorithmName.SHA384, () => new EcdhKem(ECCurve.NamedCurves.nistP384)),
        new("ecdh-sha2-nistp521", Ok, "5.7", true, HashAlgorithmName.SHA512, () => new EcdhKem(ECCurve.NamedCurves.nistP521)),
        // Implemented by OpenSSH 10.5 but not in its default lists; the same here.
        new("mlkem768nistp256-sha256", Ok, "10.5", false, HashAlgorithmName.SHA256, MlKem768NistP256),
        new("diffie-hellman-group-exchange-sha256", Ok, "4.4", true, HashAlgorithmName.SHA256, () => new GroupExchangeKem()),
        new("diffie-hellman-group16-sha512", Ok, "7.3", true, HashAlgorithmName.SHA512, () => new DhKem(DhGroups.Group16)),
        new("diffie-hellman-group18-sha512", Ok, "7.3", true, HashAlgorithmName.SHA512, () => new DhKem(DhGroups.Group18)),
        new("diffie-hellman-group14-sha256", Ok, "7.3", true, HashAlgorithmName.SHA256, () => new DhKem(DhGroups.Group14)),
        new("diffie-hellman-group14-sha1", Broken, "", false, HashAlgorithmName.SHA1, () => new DhKem(DhGroups.Group14)),
        new("diffie-hellman-group1-sha1", Broken, "", false, HashAlgorithmName.SHA1, () => new DhKem(DhGroups.Group1)),
    ];

    // The hybrid post-quantum methods: a KEM beside X25519 or P-256 (see HybridKem).
    private static KeyExchangeMethod MlKem768X25519() =>
        new HybridKem(MlKem768.Create(), new Curve25519Kem(), 32, HashAlgorithmName.SHA256);

    private static KeyExchangeMethod MlKem768NistP256() =>
        new HybridKem(MlKem768.Create(), new EcdhKem(ECCurve.NamedCurves.nistP256), 65, HashAlgorithmName.SHA256);

    private static KeyExchangeMethod Sntrup761X25519() =>
        new HybridKem(new Sntrup761(), new Curve25519Kem(), 32, HashAlgorithmName.SHA512);

    /// <summary>The plain host key algorithms: what a server signs with, and what a certificate's key signs with.</summary>
    public static IReadOnlyList<HostKeyAlgorithmInfo> HostKey { get; } =
    [
        new("ssh-ed25519", "ssh-ed25519", Ok, "6.5", true),
        new("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", Ok, "5.7", true),
        new("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", Ok, "5.7", true),
        new("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", Ok, "5.7", true),
        new("rsa-sha2-512", "ssh-rsa", Ok, "7.2", true),
        new("rsa-sha2-256", "ssh-rsa", Ok, "7.2", true),
        new("ssh-rsa", "ssh-rsa", Broken, "", false),
    ];

    /// <summary>
    /// The OpenSSH host certificate algorithms (PROTOCOL.certkeys), client side only: the server's key is certified
    /// by a CA the client trusts through known_hosts @cert-authority. OpenSSH lists them before the plain algorithms
    /// in its default HostKeyAlgorithms, and so does <see cref="All"/>.
    /// </summary>
    public static IReadOnlyList<HostKeyAlgorithmInfo> HostCertificate { get; } =
    [
        Certificate("ssh-ed25519", "ssh-ed25519", Ok, "6.5", true),
        Certificate("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", Ok, "5.6", true),
        Certificate("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", Ok, "5.6", true),
        Certificate("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", Ok, "5.6", true),
        Certificate("rsa-sha2-512", "ssh-rsa", Ok, "7.8", true),
        Certificate("rsa-sha2-256", "ssh-rsa", Ok, "7.8", true),
        Certificate("ssh-rsa", "ssh-rsa", Broken, "5.6", false),
    ];

    // ssh-ed25519 → ssh-ed25519-cert-v01@openssh.com, certifying an ssh-ed25519 key and signing as ssh-ed25519.
    private static HostKeyAlgorithmInfo Certificate(string signatureAlgorithm, string plainKeyType, AlgorithmStatus status, string since, bool enabledByDefault) =>
        new(signatureAlgorithm + "-cert-v01@openssh.com", plainKeyType + "-cert-v01@openssh.com", status, since, enabledByDefault, signatureAlgorithm);

    private static readonly IReadOnlyList<HostKeyAlgorithmInfo> s_allHostKeys = [.. HostCertificate, .. HostKey];

    public static IReadOnlyList<CipherAlgorithmInfo> Cipher { get; } =
    [
        new("chacha20-poly1305@openssh.com", 64, 0, 8, 16, Ok, "6.5", true, (k, _, e) => new ChaChaPolyCipher(k.Span, e)),
        new("aes128-gcm@openssh.com", 16, 12, 16, 16, Ok, "6.2", true, (k, iv, e) => new AesGcmCipher(k.Span, iv.Span, e)),
        new("aes256-gcm@openssh.com", 32, 12, 16, 16, Ok, "6.2", true, (k, iv, e) => new AesGcmCipher(k.Span, iv.Span, e)),
        new("aes128-ctr", 16, 16, 16, 0, Ok, "3.7", true, (k, iv, _) => new AesCtrCipher(k.Span, iv.Span)),
        new("aes192-ctr", 24, 16, 16, 0, Ok, "3.7", true, (k, iv, _) => new AesCtrCipher(k.Span, iv.Span)),
        new("aes256-ctr", 32, 16, 16, 0, Ok, "3.7", true, (k, iv, _) => new AesCtrCipher(k.Span, iv.Span)),
    ];

    public static IReadOnlyList<MacAlgorithmInfo> Mac { get; } =
    [
        new("umac-64-etm@openssh.com", 16, 8, true, Ok, "6.2", true, k => new UmacMac(k.Span, 8)),
        new("umac-128-etm@openssh.com", 16, 16, true, Ok, "6.2", true, k => new UmacMac(k.Span, 16)),
        new("hmac-sha2-256-etm@openssh.com", 32, 32, true, Ok, "6.2", true, k => new HmacMac(HashAlgorithmName.SHA256, k.Span)),
        new("hmac-sha2-512-etm@openssh.com", 64, 64, true, Ok, "6.2", true, k => new HmacMac(HashAlgorithmName.SHA512, k.Span)),
        new("hmac-sha1-etm@openssh.com", 20, 20, true, Legacy, "6.2", false, k => new HmacMac(HashAlgorithmName.SHA1, k.Span)),
        new("umac-64@openssh.com", 16, 8, false, Legacy, "4.7", true, k => new UmacMac(k.Span, 8)),
        new("umac-128@openssh.com", 16, 16, false, Legacy, "6.2", true, k => new UmacMac(k.Span, 16)),
        new("hmac-sha2-256", 32, 32, false, Legacy, "5.9", true, k => new HmacMac(HashAlgorithmName.SHA256, k.Span)),
        new("hmac-sha2-512", 64, 64, false, Legacy, "5.9", true, k => new HmacMac(HashAlgorithmName.SHA512, k.Span)),
        new("hmac-sha1", 20, 20, false, Legacy, "", false, k => new HmacMac(HashAlgorithmName.SHA1, k.Span)),
    ];

    public static IReadOnlyList<CompressionAlgorithmInfo> Compression { get; } =
    [
        new("none", false, Ok, "", true),
        new("zlib@openssh.com", true, Ok, "4.2", true),
        new("zlib", false, Legacy, "", false),
    ];

    /// <summary>Every algorithm of a category, preferred first (what `ssh -Q` lists); host keys: certificates, then plain.</summary>
    public static IReadOnlyList<AlgorithmInfo> All(AlgorithmCategory category) => category switch
    {
        AlgorithmCategory.Kex => Kex,
        AlgorithmCategory.HostKey => s_allHostKeys,
        AlgorithmCategory.Cipher => Cipher,
        AlgorithmCategory.Mac => Mac,
        AlgorithmCategory.Compression => Compression,
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static IReadOnlyList<string> Names(AlgorithmCategory category) => [.. All(category).Select(a => a.Name)];

    /// <summary>The default list of a category (OpenSSH 10's defaults for what Lucid implements).</summary>
    public static IReadOnlyList<string> Defaults(AlgorithmCategory category) =>
        [.. All(category).Where(a => a.EnabledByDefault).Select(a => a.Name)];

    /// <summary>
    /// A server's default list: the client's, except that key exchange leaves out finite-field Diffie-Hellman, as
    /// OpenSSH's sshd has since 10.0 (KEX_SERVER_KEX in its myproposal.h); clients still offer it to old servers.
    /// </summary>
    public static IReadOnlyList<string> ServerDefaults(AlgorithmCategory category) => category == AlgorithmCategory.Kex
        ? [.. Kex.Where(a => a.EnabledByDefault && !a.IsFiniteFieldDh).Select(a => a.Name)]
        : Defaults(category);

    /// <summary>Applies an ssh_config(5) style list (plain, or starting with +, - or ^; wildcards allowed) to the defaults.</summary>
    /// <exception cref="ArgumentException">The list names an algorithm Lucid does not implement.</exception>
    public static IReadOnlyList<string> Edit(AlgorithmCategory category, string? spec) =>
        AlgorithmList.Edit(spec, Defaults(category), Names(category));

    public static KexAlgorithmInfo? FindKex(string name) => Find(Kex, name);
    public static HostKeyAlgorithmInfo? FindHostKey(string name) => Find(s_allHostKeys, name);
    public static CipherAlgorithmInfo? FindCipher(string name) => Find(Cipher, name);
    public static MacAlgorithmInfo? FindMac(string name) => Find(Mac, name);
    public static CompressionAlgorithmInfo? FindCompression(string name) => Find(Compression, name);

    private static T? Find<T>(IReadOnlyList<T> table, string name) where T : AlgorithmInfo
    {
        foreach (var entry in table)
        {
            if (entry.Name == name)
                return entry;
        }
        return null;
    }
}
