using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// Issues an OpenSSH certificate (PROTOCOL.certkeys) for a public key, signed through any <see cref="ISshSigner"/>:
/// a CA key file, a CA key held in an agent, a hardware token. What ssh-keygen -s does, as a library call.
/// </summary>
public sealed class SshCertificateBuilder
{
    /// <summary>OpenSSH's limit on principals in one certificate (SSHKEY_CERT_MAX_PRINCIPALS).</summary>
    public const int MaxPrincipals = 256;

    /// <summary>A certificate of <paramref name="type"/> for <paramref name="key"/> (a plain key, not a certificate).</summary>
    public SshCertificateBuilder(SshPublicKey key, SshCertificateType type, string keyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(keyId);
        if (key is SshCertificate)
            throw new ArgumentException("a certificate cannot be certified again", nameof(key));
        Key = key;
        Type = type;
        KeyId = keyId;
    }

    /// <summary>The key being certified.</summary>
    public SshPublicKey Key { get; }

    /// <summary>User or host certificate.</summary>
    public SshCertificateType Type { get; set; }

    /// <summary>The identity logged by servers ("ID ..." in sshd's Accepted line) and matched by KRL id: entries.</summary>
    public string KeyId { get; set; }

    /// <summary>The user or host names the certificate is valid for; none means any (hosts) or none (sshd refuses).</summary>
    public IList<string> Principals { get; } = [];

    /// <summary>Serial number (KRL serial: entries revoke by it).</summary>
    public ulong Serial { get; set; }

    /// <summary>Seconds since the epoch; 0 (the default) means from the beginning of time.</summary>
    public ulong ValidAfter { get; set; }

    /// <summary>Seconds since the epoch; <see cref="ulong.MaxValue"/> (the default) means forever.</summary>
    public ulong ValidBefore { get; set; } = ulong.MaxValue;

    /// <summary>Critical options (force-command, source-address, verify-required); written sorted by name, as OpenSSH requires.</summary>
    public IList<SshCertificateOption> CriticalOptions { get; } = [];

    /// <summary>Extensions (permit-pty, permit-port-forwarding, ...); written sorted by name.</summary>
    public IList<SshCertificateOption> Extensions { get; } = [];

    /// <summary>The nonce; 32 random bytes when not set (tests set it for reproducible certificates).</summary>
    public ReadOnlyMemory<byte>? Nonce { get; set; }

    /// <summary>The extensions ssh-keygen puts in a user certificate unless told otherwise (-O clear removes them).</summary>
    public static IReadOnlyList<string> DefaultUserExtensions { get; } =
        ["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"];

    /// <summary>Adds <see cref="DefaultUserExtensions"/> as flags.</summary>
    public SshCertificateBuilder WithDefaultUserExtensions()
    {
        foreach (var name in DefaultUserExtensions)
            Extensions.Add(SshCertificateOption.Flag(name));
        return this;
    }

    /// <summary>
    /// Signs the certificate with <paramref name="ca"/>. <paramref name="signatureAlgorithm"/> defaults to the CA's
    /// first (rsa-sha2-512 for RSA, as ssh-keygen); it must be one the CA key signs with, and the signer must sign
    /// with exactly it. The result is parsed back, so its CA signature has been verified once.
    /// </summary>
    public async ValueTask<SshCertificate> SignAsync(ISshSigner ca, string? signatureAlgorithm = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ca);
        var toBeSigned = ToBeSigned(ca.PublicKey, ref signatureAlgorithm);
        var signature = await ca.SignAsync(toBeSigned, signatureAlgorithm, cancellationToken).ConfigureAwait(false);
        return Complete(toBeSigned, signature, signatureAlgorithm);
    }

    /// <summary>Signs with a key in memory, synchronously.</summary>
    public SshCertificate Sign(SshPrivateKey ca, string? signatureAlgorithm = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        var toBeSigned = ToBeSigned(ca.PublicKey, ref signatureAlgorithm);
        return Complete(toBeSigned, ca.Sign(toBeSigned, signatureAlgorithm), signatureAlgorithm);
    }

    private byte[] ToBeSigned(SshPublicKey caKey, [System.Diagnostics.CodeAnalysis.NotNull] ref string? signatureAlgorithm)
    {
        if (caKey is SshCertificate)
            throw new SshException("invalid certificate signing key");
        signatureAlgorithm ??= caKey.SignatureAlgorithms[0];
        if (!caKey.SignatureAlgorithms.Contains(signatureAlgorithm))
            throw new SshException("signature algorithm not supported");
        if (Principals.Count > MaxPrincipals)
            throw new SshException("Too many certificate principals specified");
        if (Type is not (SshCertificateType.User or SshCertificateType.Host))
            throw new SshException("unknown/unsupported certificate type");

        using var writer = new SshWriter(1024);
        writer.WriteString(SshCertificate.CertificateTypeOf(Key.KeyType));
        if (Nonce is { } nonce)
            writer.WriteString(nonce.Span);
        else
            writer.WriteString(RandomNumberGenerator.GetBytes(32));
        // The plain key's fields follow its type name in its own blob.
        var plainReader = new SshReader(Key.Blob.Span);
        plainReader.ReadString();
        writer.WriteRaw(plainReader.RemainingSpan);
        writer.WriteUInt64(Serial).WriteUInt32((uint)Type).WriteString(KeyId);
        using (var principals = new SshWriter())
        {
            foreach (var principal in Principals)
                principals.WriteString(principal);
            writer.WriteString(principals.WrittenSpan);
        }
        writer.WriteUInt64(ValidAfter).WriteUInt64(ValidBefore);
        writer.WriteString(WriteOptions(CriticalOptions));
        writer.WriteString(WriteOptions(Extensions));
        writer.WriteString(ReadOnlySpan<byte>.Empty); // reserved
        writer.WriteString(caKey.Blob.Span);
        return writer.ToArray();
    }

    private static SshCertificate Complete(byte[] toBeSigned, byte[] signature, string signatureAlgorithm)
    {
        // sshkey_certify_custom: a signer that answered with another algorithm (an agent ignoring the flags) is refused.
        if (SshPublicKey.SignatureAlgorithmOf(signature) != signatureAlgorithm)
            throw new SshException("signature algorithm not supported");
        using var writer = new SshWriter(toBeSigned.Length + signature.Length + 4);
        writer.WriteRaw(toBeSigned).WriteString(signature);
        return (SshCertificate)SshPublicKey.FromBlob(writer.WrittenSpan);
    }

    // Sorted by name, a flag before a valued option of the same name, then by data (ssh-keygen's cert_ext_cmp).
    private static byte[] WriteOptions(IEnumerable<SshCertificateOption> options)
    {
        using var writer = new SshWriter();
        foreach (var option in options.OrderBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => !o.IsFlag).ThenBy(o => o.Data, DataOrder.Instance))
            writer.WriteString(option.Name).WriteString(option.Data.Span);
        return writer.ToArray();
    }

    private sealed class DataOrder : IComparer<ReadOnlyMemory<byte>>
    {
        public static readonly DataOrder Instance = new();

        public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceCompareTo(y.Span);
    }
}
