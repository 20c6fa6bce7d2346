using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// A public key of one of the supported types. The contract other layers rely on; the key-type table
/// (Keys/KeyAlgorithms) supplies the implementations.
/// </summary>
public abstract class SshPublicKey : IEquatable<SshPublicKey>
{
    /// <summary>The key type name as it appears on the wire and in files: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...</summary>
    public abstract string KeyType { get; }

    /// <summary>Size in bits as ssh-keygen reports it (256 for ed25519, the curve size for ECDSA, the modulus size for RSA).</summary>
    public abstract int SizeInBits { get; }

    /// <summary>The public key blob (RFC 4253 section 6.6 encoding).</summary>
    public abstract ReadOnlyMemory<byte> Blob { get; }

    /// <summary>The signature algorithms this key can verify, preferred first (for RSA: rsa-sha2-512, rsa-sha2-256, ssh-rsa).</summary>
    public abstract IReadOnlyList<string> SignatureAlgorithms { get; }

    /// <summary>The key-type table row for this key (for a certificate or security key, the row of the underlying key's type).</summary>
    public KeyAlgorithm Algorithm => this switch
    {
        SecurityKeyPublicKey sk => sk.Key.Algorithm,
        _ => KeyAlgorithms.Find(SshCertificate.PlainTypeOf(KeyType) ?? KeyType)!,
    };

    /// <summary>
    /// Verifies an SSH signature blob (string algorithm, string signature) over <paramref name="data"/>.
    /// Returns false for a wrong or malformed signature, or one whose algorithm this key does not use.
    /// </summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob);

    /// <summary>
    /// Verifies a signature blob that must use exactly <paramref name="requiredAlgorithm"/> — what a key exchange
    /// or a publickey request negotiated (an rsa-sha2-512 signature is not accepted where rsa-sha2-256 was agreed).
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, string requiredAlgorithm) =>
        SignatureAlgorithmOf(signatureBlob) == requiredAlgorithm && Verify(data, signatureBlob);

    /// <summary>The algorithm name at the start of a signature blob, or null if the blob is malformed.</summary>
    public static string? SignatureAlgorithmOf(ReadOnlySpan<byte> signatureBlob) =>
        SignatureBlob.TryRead(signatureBlob, out var algorithm, out _) ? algorithm : null;

    /// <summary>Parses a public key blob; anything malformed or of an unknown type throws <see cref="SshKeyFormatException"/>.</summary>
    public static SshPublicKey FromBlob(ReadOnlySpan<byte> blob)
    {
        string keyType = "";
        try
        {
            var reader = new SshReader(blob);
            keyType = reader.ReadUtf8String();
            if (SshCertificate.PlainTypeOf(keyType) is { } plainType)
                return SshCertificate.Read(blob, keyType, KeyAlgorithms.Find(plainType)!);
            SshPublicKey key;
            if (SecurityKeyPublicKey.IsSecurityKeyType(keyType))
                key = SecurityKeyPublicKey.Read(ref reader, keyType);
            else
                key = (KeyAlgorithms.Find(keyType) ?? throw new SshKeyFormatException($"unknown key type {keyType}")).ReadPublic(ref reader);
            if (!reader.IsAtEnd)
                throw new SshKeyFormatException($"invalid {keyType} public key: {reader.Remaining} trailing bytes");
            return key;
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException(keyType.Length == 0 ? $"invalid public key: {e.Message}" : $"invalid {keyType} public key: {e.Message}");
        }
    }

    /// <summary>Parses "type base64 [comment]" as in .pub files; the comment is dropped.</summary>
    public static SshPublicKey ParseLine(string line) => ParseLine(line, out _);

    /// <summary>Parses "type base64 [comment]" as in .pub files; <paramref name="comment"/> is the rest of the line, trimmed (empty if none).</summary>
    public static SshPublicKey ParseLine(string line, out string comment)
    {
        var rest = line.AsSpan().Trim();
        var type = NextField(ref rest).ToString();
        var data = NextField(ref rest);
        comment = rest.Trim().ToString();
        if (type.Length == 0)
            throw new SshKeyFormatException("empty public key line");
        if (KeyAlgorithms.Find(type) is null && SshCertificate.PlainTypeOf(type) is null && !SecurityKeyPublicKey.IsSecurityKeyType(type))
            throw new SshKeyFormatException($"unknown key type {type}");
        if (data.IsEmpty)
            throw new SshKeyFormatException($"missing key data after {type}");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(data.ToString());
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid base64 in public key");
        }
        var key = FromBlob(blob);
        if (key.KeyType != type)
            throw new SshKeyFormatException($"key type {type} does not match the encoded {key.KeyType} key");
        return key;
    }

    /// <summary>The .pub / authorized_keys form: "type base64" and, if given, " comment".</summary>
    public string ToLine(string? comment = null)
    {
        var line = KeyType + " " + Convert.ToBase64String(Blob.Span);
        return string.IsNullOrEmpty(comment) ? line : line + " " + comment;
    }

    public override string ToString() => ToLine();

    public bool Equals(SshPublicKey? other) => other is not null && Blob.Span.SequenceEqual(other.Blob.Span);
    public override bool Equals(object? obj) => obj is SshPublicKey other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Blob.Span);
        return hash.ToHashCode();
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        int end = rest.IndexOfAny(' ', '\t');
        if (end < 0)
            end = rest.Length;
        var field = rest[..end];
        rest = rest[end..];
        return field;
    }
}
