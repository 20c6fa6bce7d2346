using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// An OpenSSH key revocation list (PROTOCOL.krl, what `ssh-keygen -k` writes): plain keys revoked by blob,
/// SHA1 or SHA256 hash, and certificates revoked per CA (or for every CA) by serial, serial range, serial
/// bitmap or key ID. Reading follows krl.c: an unknown section, a critical extension, a hash of the wrong
/// length or a section with bytes left over makes the whole file invalid. Signature sections are skipped
/// without being checked, as OpenSSH does (it never verified them in sshd).
/// </summary>
public sealed partial class KeyRevocationList
{
    /// <summary>"SSHKRL\n\0", the first eight bytes of every KRL.</summary>
    public static ReadOnlySpan<byte> Magic => "SSHKRL\n\0"u8;

    private const uint FormatVersion = 1;
    private const byte SectionCertificates = 1, SectionExplicitKey = 2, SectionSha1 = 3, SectionSignature = 4,
        SectionSha256 = 5, SectionExtension = 255;
    private const byte CertSerialList = 0x20, CertSerialRange = 0x21, CertSerialBitmap = 0x22, CertKeyId = 0x23,
        CertExtension = 0x39;

    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sha1 = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sha256 = new(StringComparer.Ordinal);
    // Certificate revocations by CA key blob (base64); "" holds those that apply to every CA.
    private readonly Dictionary<string, RevokedCertificates> _certificates = new(StringComparer.Ordinal);

    /// <summary>An empty KRL, to fill with the Revoke methods and write with <see cref="ToBytes"/>.</summary>
    public KeyRevocationList() { }

    public ulong Version { get; set; }
    public DateTimeOffset GeneratedAt { get; private set; }
    public string Comment { get; set; } = "";

    /// <summary>Whether <paramref name="data"/> starts with the KRL magic (otherwise OpenSSH reads the file as a key list).</summary>
    public static bool IsKrl(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    /// <summary>Parses a KRL; anything malformed throws <see cref="SshKeyFormatException"/> with krl.c's reason.</summary>
    public static KeyRevocationList Parse(ReadOnlySpan<byte> data)
    {
        if (!IsKrl(data))
            throw new SshKeyFormatException("bad KRL magic header");
        try
        {
            var krl = new KeyRevocationList();
            krl.Read(new SshReader(data[Magic.Length..]));
            return krl;
        }
        catch (SshProtocolException e)
        {
            // sshbuf's words: a read past the end is an incomplete message, anything else an invalid format.
            throw new SshKeyFormatException(e.Message.StartsWith("message truncated", StringComparison.Ordinal) || e.Message.StartsWith("string length", StringComparison.Ordinal)
                ? "incomplete message" : "invalid format");
        }
    }

    private void Read(SshReader reader)
    {
        if (reader.ReadUInt32() is var version && version != FormatVersion)
            throw new SshKeyFormatException($"unsupported KRL format version {version}");
        Version = reader.ReadUInt64();
        var generated = reader.ReadUInt64();
        GeneratedAt = DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(generated, 253402300799UL));
        reader.ReadUInt64(); // flags: none defined
        reader.ReadString(); // reserved
        Comment = Encoding.UTF8.GetString(reader.ReadString());
        while (!reader.IsAtEnd)
        {
            var type = reader.ReadByte();
            if (type == SectionSignature)
            {
                // signature_key, signature: skipped, as krl.c does.
                reader.ReadString();
                reader.ReadString();
                continue;
            }
            var section = new SshReader(reader.ReadString());
            switch (type)
            {
                case SectionCertificates: ReadCertificates(ref section); break;
                case SectionExplicitKey: ReadBlobs(ref section, _keys, 0); break;
                case SectionSha1: ReadBlobs(ref section, _sha1, 20); break;
                case SectionSha256: ReadBlobs(ref section, _sha256, 32); break;
                case SectionExtension: ReadExtension(ref section, "KRL"); break;
                default: throw new SshKeyFormatException($"Unsupported KRL section {type}");
            }
            if (!section.IsAtEnd)
                throw new SshKeyFormatException("KRL section contains unparsed data");
        }
    }

    private static void ReadBlobs(ref SshReader section, HashSet<string> into, int expectedLength)
    {
        while (!section.IsAtEnd)
        {
            var blob = section.ReadString();
            if (expectedLength != 0 && blob.Length != expectedLength)
                throw new SshKeyFormatException("KRL hash has a bad length");
            into.Add(Convert.ToBase64String(blob));
        }
    }

    private static void ReadExtension(ref SshReader section, string where)
    {
        var name = section.ReadUtf8String();
        var critical = section.ReadBoolean();
        section.ReadString();
        if (critical)
            throw new SshKeyFormatException($"unsupported critical {where} extension \"{name}\"");
    }

    private void ReadCertificates(ref SshReader section)
    {
        var caBlob = section.ReadString();
        if (caBlob.Length != 0)
            SshPublicKey.FromBlob(caBlob); // must be a valid key, as krl.c requires
        section.ReadString(); // reserved
        var ca = Convert.ToBase64String(caBlob);
        if (!_certificates.TryGetValue(ca, out var revoked))
            _certificates[ca] = revoked = new RevokedCertificates();
        while (!section.IsAtEnd)
        {
            var type = section.ReadByte();
            var sub = new SshReader(section.ReadString());
            switch (type)
            {
                case CertSerialList:
                    while (!sub.IsAtEnd)
                        revoked.AddRange(sub.ReadUInt64(), null);
                    break;
                case CertSerialRange:
                    var low = sub.ReadUInt64();
                    var high = sub.ReadUInt64();
                    if (high < low)
                        throw new SshKeyFormatException("KRL serial range is invalid");
                    revoked.AddRange(low, high);
                    break;
                case CertSerialBitmap:
                    var offset = sub.ReadUInt64();
                    var bits = new BigInteger(sub.ReadMPIntMagnitude(), isUnsigned: true, isBigEndian: true);
                    var count = bits.IsZero ? 0 : (long)bits.GetBitLength();
                    if (count > 0 && offset > ulong.MaxValue - (ulong)(count - 1))
                        throw new SshKeyFormatException("KRL bitmap wraps u64");
                    for (var i = 0L; i < count; i++)
                        if (!(bits >> (int)i).IsEven)
                            revoked.AddRange(offset + (ulong)i, null);
                    break;
                case CertKeyId:
                    while (!sub.IsAtEnd)
                        revoked.KeyIds.Add(sub.ReadUtf8String());
                    break;
                case CertExtension:
                    ReadExtension(ref sub, "KRL certificate");
                    break;
                default:
                    throw new SshKeyFormatException($"Unsupported KRL certificate section {type}");
            }
            if (!sub.IsAtEnd)
                throw new SshKeyFormatException("KRL certificate section contains unparsed data");
        }
    }

    /// <summary>
    /// ssh_krl_check_key: whether the key is revoked, by hash, by blob, or — for a certificate — by its
    /// serial or key ID under its CA (or any CA), or because its CA key is itself revoked.
    /// </summary>
    public bool IsRevoked(SshPublicKey key) =>
        IsKeyRevoked(key) || (key is SshCertificate certificate && IsKeyRevoked(certificate.SignatureKey));

    private bool IsKeyRevoked(SshPublicKey key)
    {
        var plain = key is SshCertificate c ? c.Key.Blob.Span : key.Blob.Span;
        if (_sha1.Contains(Convert.ToBase64String(SHA1.HashData(plain))) ||
            _sha256.Contains(Convert.ToBase64String(SHA256.HashData(plain))) ||
            _keys.Contains(Convert.ToBase64String(plain)))
            return true;
        if (key is not SshCertificate certificate)
            return false;
        return (_certificates.TryGetValue(Convert.ToBase64String(certificate.SignatureKey.Blob.Span), out var byCa) && byCa.Revokes(certificate)) ||
            (_certificates.TryGetValue("", out var anyCa) && anyCa.Revokes(certificate));
    }

    private sealed class RevokedCertificates
    {
        private readonly List<(ulong Low, ulong High)> _serials = [];
        public IReadOnlyList<(ulong Low, ulong High)> Serials => _serials;
        public HashSet<string> KeyIds { get; } = new(StringComparer.Ordinal);

        public void AddRange(ulong low, ulong? high)
        {
            if (low == 0)
                throw new SshKeyFormatException("KRL revokes serial 0");
            _serials.Add((low, high ?? low));
        }

        public bool Revokes(SshCertificate certificate) =>
            KeyIds.Contains(certificate.KeyId) ||
            (certificate.Serial != 0 && _serials.Any(r => certificate.Serial >= r.Low && certificate.Serial <= r.High));
    }
}
