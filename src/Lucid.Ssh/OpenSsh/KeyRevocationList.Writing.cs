using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.OpenSsh;

// Building and writing a KRL (what `ssh-keygen -k` does): the revocations krl.c offers, and the
// serialisation of PROTOCOL.krl. Serials are written merged and sorted, single ones as a serial list and
// runs as ranges; readers accept any mix of the three encodings, so the bitmap form is not needed.
public sealed partial class KeyRevocationList
{
    /// <summary>ssh_krl_revoke_key: a certificate by its serial (or key ID when the serial is 0) under its CA; a plain key by its blob.</summary>
    public void Revoke(SshPublicKey key)
    {
        if (key is not SshCertificate certificate)
            RevokeExplicit(key);
        else if (certificate.Serial == 0)
            RevokeKeyId(certificate.SignatureKey, certificate.KeyId);
        else
            RevokeSerials(certificate.SignatureKey, certificate.Serial, certificate.Serial);
    }

    /// <summary>Revokes the key (a certificate's plain key) by its blob.</summary>
    public void RevokeExplicit(SshPublicKey key) => _keys.Add(Convert.ToBase64String(PlainBlob(key)));

    /// <summary>Revokes a key by the SHA1 of its plain blob (20 bytes).</summary>
    public void RevokeSha1(ReadOnlySpan<byte> hash) => AddHash(_sha1, hash, 20);

    /// <summary>Revokes a key by the SHA256 of its plain blob (32 bytes), as fingerprints show it.</summary>
    public void RevokeSha256(ReadOnlySpan<byte> hash) => AddHash(_sha256, hash, 32);

    /// <summary>Revokes certificates with serials low..high signed by <paramref name="ca"/> (null: by any CA).</summary>
    public void RevokeSerials(SshPublicKey? ca, ulong low, ulong high)
    {
        if (high < low)
            throw new ArgumentException("the serial range ends before it starts", nameof(high));
        For(ca).AddRange(low, high);
    }

    /// <summary>Revokes certificates with this key ID signed by <paramref name="ca"/> (null: by any CA).</summary>
    public void RevokeKeyId(SshPublicKey? ca, string keyId) => For(ca).KeyIds.Add(keyId);

    /// <summary>The KRL in PROTOCOL.krl's format, stamped as generated at <paramref name="now"/>.</summary>
    public byte[] ToBytes(DateTimeOffset now)
    {
        GeneratedAt = now;
        using var output = new SshWriter();
        output.WriteRaw(Magic).WriteUInt32(FormatVersion).WriteUInt64(Version)
            .WriteUInt64((ulong)Math.Max(0, now.ToUnixTimeSeconds())).WriteUInt64(0).WriteString([]).WriteString(Comment);
        foreach (var (ca, revoked) in _certificates)
            WriteSection(output, SectionCertificates, section => WriteCertificates(section, Convert.FromBase64String(ca), revoked));
        WriteBlobSection(output, SectionExplicitKey, _keys);
        WriteBlobSection(output, SectionSha1, _sha1);
        WriteBlobSection(output, SectionSha256, _sha256);
        return output.ToArray();
    }

    private static byte[] PlainBlob(SshPublicKey key) => (key is SshCertificate c ? c.Key : key).Blob.ToArray();

    private static void AddHash(HashSet<string> into, ReadOnlySpan<byte> hash, int length)
    {
        if (hash.Length != length)
            throw new ArgumentException($"a {length}-byte hash is needed, not {hash.Length} bytes", nameof(hash));
        into.Add(Convert.ToBase64String(hash));
    }

    private RevokedCertificates For(SshPublicKey? ca)
    {
        var key = ca is null ? "" : Convert.ToBase64String(PlainBlob(ca));
        if (!_certificates.TryGetValue(key, out var revoked))
            _certificates[key] = revoked = new RevokedCertificates();
        return revoked;
    }

    private static void WriteSection(SshWriter output, byte type, Action<SshWriter> body)
    {
        using var section = new SshWriter();
        body(section);
        output.WriteByte(type).WriteString(section.WrittenSpan);
    }

    private static void WriteBlobSection(SshWriter output, byte type, HashSet<string> blobs)
    {
        if (blobs.Count == 0)
            return;
        var sorted = blobs.Select(Convert.FromBase64String).Order(ByteOrder.Instance);
        WriteSection(output, type, section =>
        {
            foreach (var blob in sorted)
                section.WriteString(blob);
        });
    }

    private static void WriteCertificates(SshWriter section, byte[] caBlob, RevokedCertificates revoked)
    {
        section.WriteString(caBlob).WriteString([]);
        var merged = MergeRanges(revoked.Serials);
        var singles = merged.Where(r => r.Low == r.High).ToList();
        if (singles.Count > 0)
            WriteSection(section, CertSerialList, list =>
            {
                foreach (var (serial, _) in singles)
                    list.WriteUInt64(serial);
            });
        foreach (var (low, high) in merged.Where(r => r.Low != r.High))
            WriteSection(section, CertSerialRange, range => range.WriteUInt64(low).WriteUInt64(high));
        if (revoked.KeyIds.Count > 0)
            WriteSection(section, CertKeyId, ids =>
            {
                foreach (var id in revoked.KeyIds.Order(StringComparer.Ordinal))
                    ids.WriteString(Encoding.UTF8.GetBytes(id));
            });
    }

    // Sorted, with overlapping and adjacent ranges joined, so each serial is written once.
    private static List<(ulong Low, ulong High)> MergeRanges(IEnumerable<(ulong Low, ulong High)> ranges)
    {
        var merged = new List<(ulong Low, ulong High)>();
        foreach (var (low, high) in ranges.OrderBy(r => r.Low))
        {
            if (merged.Count > 0 && (merged[^1].High == ulong.MaxValue || low <= merged[^1].High + 1))
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, high));
            else
                merged.Add((low, high));
        }
        return merged;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
