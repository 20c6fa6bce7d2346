using System.Text;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// An OpenSSH certificate (PROTOCOL.certkeys, the *-cert-v01@openssh.com key types): a plain public key plus
/// identity, principals, validity and options, signed by a CA key. Parsing checks the CA signature, as OpenSSH
/// does; whether the CA is trusted and the certificate applies is the caller's policy.
/// </summary>
public sealed class SshCertificate : SshPublicKey
{
    private const string Suffix = "-cert-v01@openssh.com";
    private readonly byte[] _blob;

    private SshCertificate(string keyType, byte[] blob, SshPublicKey key)
    {
        KeyType = keyType;
        _blob = blob;
        Key = key;
    }

    /// <summary>The certificate key types, in ssh -Q key order.</summary>
    public static IReadOnlyList<string> KeyTypes { get; } = KeyAlgorithms.All.Select(a => CertificateTypeOf(a.KeyType)).ToArray();

    /// <summary>ssh-ed25519 → ssh-ed25519-cert-v01@openssh.com.</summary>
    public static string CertificateTypeOf(string plainKeyType) => plainKeyType.Replace("@openssh.com", "") + Suffix;

    /// <summary>The plain key type of a certificate type, or null when <paramref name="keyType"/> is not a known certificate type.</summary>
    public static string? PlainTypeOf(string keyType)
    {
        if (!keyType.EndsWith(Suffix, StringComparison.Ordinal))
            return null;
        string plain = keyType[..^Suffix.Length];
        return KeyAlgorithms.Find(plain) is null ? null : plain;
    }

    /// <summary>
    /// The signature algorithm a public key algorithm signs with: itself for plain keys, the plain one for
    /// certificates (rsa-sha2-512-cert-v01@openssh.com signs as rsa-sha2-512; OpenSSH's sshkey_sigalg_by_name).
    /// </summary>
    internal static string PlainSignatureAlgorithmOf(string publicKeyAlgorithm)
    {
        if (!publicKeyAlgorithm.EndsWith(Suffix, StringComparison.Ordinal))
            return publicKeyAlgorithm;
        string plain = publicKeyAlgorithm[..^Suffix.Length];
        return KeyAlgorithms.KeyTypeOfSignatureAlgorithm(plain) is not null ? plain : plain + "@openssh.com";
    }

    public override string KeyType { get; }
    public override int SizeInBits => Key.SizeInBits;
    public override ReadOnlyMemory<byte> Blob => _blob;

    /// <summary>
    /// The algorithms in the signature blobs this key makes — the plain ones (rsa-sha2-512, ...): a certificate
    /// changes the host key algorithm name negotiated (see <see cref="HostKeyAlgorithms"/>), not the signature encoding.
    /// </summary>
    public override IReadOnlyList<string> SignatureAlgorithms => Key.SignatureAlgorithms;

    /// <summary>The names negotiated as host key / publickey algorithm: rsa-sha2-512-cert-v01@openssh.com, ...</summary>
    public IReadOnlyList<string> HostKeyAlgorithms => Key.SignatureAlgorithms.Select(CertificateTypeOf).ToArray();

    /// <summary>The certified (plain) public key.</summary>
    public SshPublicKey Key { get; }

    public ReadOnlyMemory<byte> Nonce { get; private set; }
    public ulong Serial { get; private set; }
    public SshCertificateType CertificateType { get; private set; }
    public string KeyId { get; private set; } = "";

    /// <summary>Principals (user or host names); empty means valid for any.</summary>
    public IReadOnlyList<string> Principals { get; private set; } = [];

    /// <summary>Seconds since the epoch; 0 means from the beginning of time.</summary>
    public ulong ValidAfter { get; private set; }

    /// <summary>Seconds since the epoch; ulong.MaxValue means forever.</summary>
    public ulong ValidBefore { get; private set; }

    /// <summary>Critical options (force-command, source-address, ...): name → value (the inner string, or empty).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CriticalOptions => CriticalOptionList.Select(o => new KeyValuePair<string, string>(o.Name, o.Value ?? "")).ToArray();

    /// <summary>Extensions (permit-pty, ...): name → value (usually empty).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions => ExtensionList.Select(o => new KeyValuePair<string, string>(o.Name, o.Value ?? "")).ToArray();

    /// <summary>The critical options in signed order, with their data exactly as signed.</summary>
    public IReadOnlyList<SshCertificateOption> CriticalOptionList { get; private set; } = [];

    /// <summary>The extensions in signed order, with their data exactly as signed.</summary>
    public IReadOnlyList<SshCertificateOption> ExtensionList { get; private set; } = [];

    /// <summary>The CA key that signed this certificate.</summary>
    public SshPublicKey SignatureKey { get; private set; } = null!;

    /// <summary>The CA's signature algorithm (e.g. rsa-sha2-512).</summary>
    public string SignatureAlgorithm { get; private set; } = "";

    /// <summary>True when <paramref name="time"/> is within [ValidAfter, ValidBefore).</summary>
    public bool IsValidAt(DateTimeOffset time)
    {
        ulong seconds = (ulong)Math.Max(0, time.ToUnixTimeSeconds());
        return seconds >= ValidAfter && seconds < ValidBefore;
    }

    /// <summary>A signature by the certified key verifies exactly as with the plain key.</summary>
    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob) => Key.Verify(data, signatureBlob);

    /// <summary>Parses a certificate blob and checks its CA signature.</summary>
    internal static SshCertificate Read(ReadOnlySpan<byte> blob, string keyType, KeyAlgorithm plain)
    {
        var reader = new SshReader(blob);
        reader.ReadString(); // the key type, already known
        var nonce = reader.ReadString().ToArray();
        var key = plain.ReadPublic(ref reader);
        var certificate = new SshCertificate(keyType, blob.ToArray(), key) { Nonce = nonce };
        certificate.Serial = reader.ReadUInt64();
        uint type = reader.ReadUInt32();
        if (type is not (1 or 2))
            throw new SshKeyFormatException("unknown/unsupported certificate type");
        certificate.CertificateType = (SshCertificateType)type;
        certificate.KeyId = Encoding.UTF8.GetString(reader.ReadString());
        certificate.Principals = ReadStrings(reader.ReadString());
        if (certificate.Principals.Count > SshCertificateBuilder.MaxPrincipals)
            throw new SshKeyFormatException("invalid format: too many principals");
        certificate.ValidAfter = reader.ReadUInt64();
        certificate.ValidBefore = reader.ReadUInt64();
        certificate.CriticalOptionList = ReadOptions(reader.ReadString());
        certificate.ExtensionList = ReadOptions(reader.ReadString());
        reader.ReadString(); // reserved
        var caBlob = reader.ReadString();
        int signedLength = reader.Position;
        var signature = reader.ReadString();
        if (!reader.IsAtEnd)
            throw new SshKeyFormatException($"invalid {keyType} public key: {reader.Remaining} trailing bytes");

        SshPublicKey ca;
        try
        {
            ca = FromBlob(caBlob);
        }
        catch (SshKeyFormatException)
        {
            throw new SshKeyFormatException("invalid certificate signing key");
        }
        if (ca is SshCertificate)
            throw new SshKeyFormatException("invalid certificate signing key");
        if (!ca.Verify(blob[..signedLength], signature))
            throw new SshKeyFormatException("incorrect signature");
        certificate.SignatureKey = ca;
        certificate.SignatureAlgorithm = SignatureAlgorithmOf(signature)!;
        return certificate;
    }

    /// <summary>
    /// Issues a certificate for <paramref name="key"/> signed by <paramref name="caKey"/> (ssh-keygen -s). RSA CAs
    /// sign with rsa-sha2-512 as ssh-keygen does. A random 32-byte nonce is used unless one is given. An option
    /// with an empty value is written as a flag. <see cref="SshCertificateBuilder"/> signs through any signer.
    /// </summary>
    public static SshCertificate Sign(SshPublicKey key, SshPrivateKey caKey, SshCertificateType type, string keyId,
        IEnumerable<string> principals, ulong validAfter = 0, ulong validBefore = ulong.MaxValue, ulong serial = 0,
        IEnumerable<KeyValuePair<string, string>>? criticalOptions = null,
        IEnumerable<KeyValuePair<string, string>>? extensions = null, byte[]? nonce = null)
    {
        var builder = new SshCertificateBuilder(key, type, keyId)
        {
            ValidAfter = validAfter,
            ValidBefore = validBefore,
            Serial = serial,
            Nonce = nonce is null ? null : new ReadOnlyMemory<byte>(nonce),
        };
        foreach (var principal in principals)
            builder.Principals.Add(principal);
        foreach (var (name, value) in criticalOptions ?? [])
            builder.CriticalOptions.Add(value.Length == 0 ? SshCertificateOption.Flag(name) : SshCertificateOption.WithValue(name, value));
        foreach (var (name, value) in extensions ?? [])
            builder.Extensions.Add(value.Length == 0 ? SshCertificateOption.Flag(name) : SshCertificateOption.WithValue(name, value));
        return builder.Sign(caKey);
    }

    private static string[] ReadStrings(ReadOnlySpan<byte> packed)
    {
        var reader = new SshReader(packed);
        var list = new List<string>();
        while (!reader.IsAtEnd)
            list.Add(Encoding.UTF8.GetString(reader.ReadString()));
        return [.. list];
    }

    // Each option is string name, string data (for a valued option the data is itself a string); OpenSSH checks
    // only that shape when parsing, and keeps the data as signed.
    private static SshCertificateOption[] ReadOptions(ReadOnlySpan<byte> packed)
    {
        var reader = new SshReader(packed);
        var list = new List<SshCertificateOption>();
        while (!reader.IsAtEnd)
        {
            string name = Encoding.UTF8.GetString(reader.ReadString());
            list.Add(new SshCertificateOption(name, reader.ReadString().ToArray()));
        }
        return [.. list];
    }
}
