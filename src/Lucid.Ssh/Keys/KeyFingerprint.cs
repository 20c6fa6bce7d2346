using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.Keys;

/// <summary>The digests ssh-keygen -E accepts for fingerprints.</summary>
public enum FingerprintHash
{
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// <summary>
/// Key fingerprints as OpenSSH prints them: "SHA256:" + unpadded base64 of the digest of the public key
/// blob, or "MD5:" + colon-separated lowercase hex.
/// </summary>
public static class KeyFingerprint
{
    /// <summary>The key's fingerprint; a certificate's is its certified key's, as OpenSSH's sshkey_fingerprint computes it.</summary>
    public static string Format(SshPublicKey key, FingerprintHash hash = FingerprintHash.Sha256) =>
        Format((key is SshCertificate certificate ? certificate.Key : key).Blob.Span, hash);

    public static string Format(ReadOnlySpan<byte> blob, FingerprintHash hash = FingerprintHash.Sha256)
    {
        var digest = Digest(blob, hash);
        if (hash == FingerprintHash.Md5)
        {
            // OpenSSH keeps the old hex form for MD5, the only digest that ever had it.
            var sb = new StringBuilder("MD5:", 4 + digest.Length * 3);
            for (int i = 0; i < digest.Length; i++)
            {
                if (i > 0)
                    sb.Append(':');
                sb.Append(digest[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }
        return HashName(hash) + ":" + Convert.ToBase64String(digest).TrimEnd('=');
    }

    public static byte[] Digest(ReadOnlySpan<byte> blob, FingerprintHash hash) => hash switch
    {
        FingerprintHash.Md5 => MD5.HashData(blob),
        FingerprintHash.Sha1 => SHA1.HashData(blob),
        FingerprintHash.Sha256 => SHA256.HashData(blob),
        FingerprintHash.Sha384 => SHA384.HashData(blob),
        FingerprintHash.Sha512 => SHA512.HashData(blob),
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    /// <summary>The name OpenSSH prints before the digest and in the randomart footer.</summary>
    public static string HashName(FingerprintHash hash) => hash switch
    {
        FingerprintHash.Md5 => "MD5",
        FingerprintHash.Sha1 => "SHA1",
        FingerprintHash.Sha256 => "SHA256",
        FingerprintHash.Sha384 => "SHA384",
        FingerprintHash.Sha512 => "SHA512",
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    /// <summary>Parses a digest name the way ssh-keygen -E does: case-insensitive md5, sha1, sha256, sha384, sha512.</summary>
    public static bool TryParseHashName(string name, out FingerprintHash hash)
    {
        foreach (var candidate in Enum.GetValues<FingerprintHash>())
        {
            if (string.Equals(HashName(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                hash = candidate;
                return true;
            }
        }
        hash = FingerprintHash.Sha256;
        return false;
    }

    /// <summary>
    /// The short upper-case label OpenSSH shows for a key type ("ED25519", "ECDSA", "RSA"), as in
    /// "256 SHA256:... (ED25519)" and the randomart title.
    /// </summary>
    public static string TypeLabel(string keyType)
    {
        bool cert = keyType.Contains("-cert-v01@openssh.com", StringComparison.Ordinal);
        string label = keyType switch
        {
            _ when keyType.StartsWith("ssh-ed25519", StringComparison.Ordinal) => "ED25519",
            _ when keyType.StartsWith("sk-ssh-ed25519", StringComparison.Ordinal) => "ED25519-SK",
            _ when keyType.StartsWith("ecdsa-sha2-", StringComparison.Ordinal) => "ECDSA",
            _ when keyType.StartsWith("sk-ecdsa-sha2-", StringComparison.Ordinal) => "ECDSA-SK",
            _ when keyType.StartsWith("ssh-rsa", StringComparison.Ordinal) || keyType.StartsWith("rsa-sha2-", StringComparison.Ordinal) => "RSA",
            _ when keyType.StartsWith("ssh-dss", StringComparison.Ordinal) => "DSA",
            _ when keyType.StartsWith("ssh-xmss", StringComparison.Ordinal) => "XMSS",
            _ => "unknown",
        };
        return cert ? label + "-CERT" : label;
    }
}
