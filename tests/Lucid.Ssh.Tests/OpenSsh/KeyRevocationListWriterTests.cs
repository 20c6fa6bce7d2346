using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Tests.OpenSsh;

/// <summary>
/// The KRL writer: what it writes reads back revoking exactly what was revoked (serials merged across overlapping
/// and adjacent ranges, key IDs, per-CA and any-CA sections, blobs and hashes), with the header fields kept.
/// (That OpenSSH reads it alike is shown by the interop KeygenKrlTests.)
/// </summary>
public sealed class KeyRevocationListWriterTests
{
    private static readonly SshPrivateKey Ca = SshPrivateKey.Generate("ssh-ed25519");
    private static readonly SshPrivateKey OtherCa = SshPrivateKey.Generate("ssh-ed25519");

    private static SshCertificate Certificate(SshPrivateKey ca, ulong serial, string keyId = "id") =>
        new SshCertificateBuilder(SshPrivateKey.Generate("ssh-ed25519").PublicKey, SshCertificateType.User, keyId) { Serial = serial }
            .SignAsync(ca).AsTask().GetAwaiter().GetResult();

    private static KeyRevocationList RoundTrip(KeyRevocationList krl) => KeyRevocationList.Parse(krl.ToBytes(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)));

    [Fact]
    public void Serial_ranges_and_key_ids_read_back_per_ca()
    {
        var krl = new KeyRevocationList { Version = 42, Comment = "rotated" };
        krl.RevokeSerials(Ca.PublicKey, 5, 8);
        krl.RevokeSerials(Ca.PublicKey, 9, 9);     // adjacent: joins 5-8
        krl.RevokeSerials(Ca.PublicKey, 7, 12);    // overlapping
        krl.RevokeSerials(Ca.PublicKey, 20, 20);
        krl.RevokeKeyId(Ca.PublicKey, "gone@example.com");
        krl.RevokeSerials(null, ulong.MaxValue, ulong.MaxValue);

        var read = RoundTrip(krl);
        Assert.Equal(42UL, read.Version);
        Assert.Equal("rotated", read.Comment);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), read.GeneratedAt);
        foreach (ulong serial in new ulong[] { 5, 9, 12, 20 })
            Assert.True(read.IsRevoked(Certificate(Ca, serial)), $"serial {serial}");
        foreach (ulong serial in new ulong[] { 4, 13, 19, 21 })
            Assert.False(read.IsRevoked(Certificate(Ca, serial)), $"serial {serial}");
        Assert.False(read.IsRevoked(Certificate(OtherCa, 5)));
        Assert.True(read.IsRevoked(Certificate(Ca, 0, "gone@example.com")));
        Assert.False(read.IsRevoked(Certificate(OtherCa, 0, "gone@example.com")));
        Assert.True(read.IsRevoked(Certificate(OtherCa, ulong.MaxValue)));
    }

    [Fact]
    public void Keys_revoked_by_blob_and_hashes_read_back_and_cover_their_certificates()
    {
        var byBlob = SshPrivateKey.Generate("ssh-ed25519").PublicKey;
        var bySha1 = SshPrivateKey.Generate("ssh-ed25519").PublicKey;
        var bySha256 = SshPrivateKey.Generate("ssh-ed25519").PublicKey;
        var krl = new KeyRevocationList();
        krl.Revoke(byBlob);
        krl.RevokeSha1(System.Security.Cryptography.SHA1.HashData(bySha1.Blob.Span));
        krl.RevokeSha256(System.Security.Cryptography.SHA256.HashData(bySha256.Blob.Span));
        krl.Revoke(Certificate(Ca, 77));
        krl.Revoke(Certificate(Ca, 0, "by-id"));

        var read = RoundTrip(krl);
        Assert.True(read.IsRevoked(byBlob));
        Assert.True(read.IsRevoked(bySha1));
        Assert.True(read.IsRevoked(bySha256));
        Assert.True(read.IsRevoked(Certificate(Ca, 77)));
        Assert.True(read.IsRevoked(Certificate(Ca, 0, "by-id")));
        Assert.False(read.IsRevoked(SshPrivateKey.Generate("ssh-ed25519").PublicKey));
        Assert.False(read.IsRevoked(Certificate(Ca, 78)));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var krl = new KeyRevocationList();
        Assert.Throws<ArgumentException>(() => krl.RevokeSerials(Ca.PublicKey, 9, 3));
        Assert.Throws<ArgumentException>(() => krl.RevokeSha256(new byte[20]));
        Assert.Throws<ArgumentException>(() => krl.RevokeSha1(new byte[32]));
        Assert.Throws<SshKeyFormatException>(() => krl.RevokeSerials(Ca.PublicKey, 0, 3));
    }
}
