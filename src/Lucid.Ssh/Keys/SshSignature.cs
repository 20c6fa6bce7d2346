using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// SSH signatures of files and messages (OpenSSH's PROTOCOL.sshsig, what ssh-keygen -Y sign/verify use):
/// the key signs "SSHSIG", a namespace and a hash of the message, and the result is armored text.
/// </summary>
public static class SshSignature
{
    public const string BeginMarker = "-----BEGIN SSH SIGNATURE-----";
    public const string EndMarker = "-----END SSH SIGNATURE-----";
    public const string DefaultHashAlgorithm = "sha512";

    private const uint Version = 1;
    private static ReadOnlySpan<byte> Preamble => "SSHSIG"u8;

    /// <summary>Signs <paramref name="message"/> under <paramref name="namespace"/>; RSA keys sign with rsa-sha2-512 as ssh-keygen does.</summary>
    public static string Sign(SshPrivateKey key, ReadOnlySpan<byte> message, string @namespace, string hashAlgorithm = DefaultHashAlgorithm)
    {
        var toSign = Prepare(key, message, @namespace, hashAlgorithm, out var algorithm);
        return Armor(key.PublicKey, @namespace, hashAlgorithm, key.Sign(toSign, algorithm));
    }

    /// <summary>The same with any signer (an agent's key, say), which may sign asynchronously.</summary>
    public static async ValueTask<string> SignAsync(ISshSigner signer, ReadOnlyMemory<byte> message, string @namespace,
        string hashAlgorithm = DefaultHashAlgorithm, CancellationToken cancellationToken = default)
    {
        var toSign = Prepare(signer, message.Span, @namespace, hashAlgorithm, out var algorithm);
        var signature = await signer.SignAsync(toSign, algorithm, cancellationToken).ConfigureAwait(false);
        return Armor(signer.PublicKey, @namespace, hashAlgorithm, signature);
    }

    private static byte[] Prepare(ISshSigner signer, ReadOnlySpan<byte> message, string @namespace, string hashAlgorithm, out string algorithm)
    {
        if (string.IsNullOrEmpty(@namespace))
            throw new ArgumentException("a signature namespace is required", nameof(@namespace));
        algorithm = signer.PublicKey.KeyType == KeyAlgorithms.Rsa ? KeyAlgorithms.RsaSha512 : signer.PublicKey.SignatureAlgorithms[0];
        return SignedData(@namespace, hashAlgorithm, Hash(hashAlgorithm, message));
    }

    private static string Armor(SshPublicKey key, string @namespace, string hashAlgorithm, byte[] signature)
    {
        using var blob = new SshWriter(512);
        blob.WriteRaw(Preamble).WriteUInt32(Version).WriteString(key.Blob.Span)
            .WriteString(@namespace).WriteString(ReadOnlySpan<byte>.Empty).WriteString(hashAlgorithm).WriteString(signature);
        var base64 = Convert.ToBase64String(blob.WrittenSpan);
        var text = new StringBuilder(BeginMarker).Append('\n');
        for (int i = 0; i < base64.Length; i += 70)
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        return text.Append(EndMarker).Append('\n').ToString();
    }

    /// <summary>
    /// Checks an armored signature over <paramref name="message"/> in <paramref name="namespace"/> and returns the key
    /// that made it (the caller decides whether that key is trusted). Any failure throws <see cref="SshException"/>.
    /// </summary>
    public static SshPublicKey Verify(string armored, ReadOnlySpan<byte> message, string @namespace)
    {
        var text = armored.AsSpan().Trim();
        if (!text.StartsWith(BeginMarker, StringComparison.Ordinal))
            throw new SshException("Couldn't parse signature: missing header");
        // The footer is looked for after the header: "-----BEGIN SSH SIGNATURE-----END SSH SIGNATURE-----" shares dashes.
        int end = text[BeginMarker.Length..].IndexOf(EndMarker, StringComparison.Ordinal);
        if (end < 0)
            throw new SshException("Couldn't parse signature: missing footer");
        end += BeginMarker.Length;
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(text[BeginMarker.Length..end].ToString().Replace("\r", "").Replace("\n", ""));
        }
        catch (FormatException)
        {
            throw new SshException("Couldn't parse signature: invalid format");
        }
        try
        {
            var reader = new SshReader(blob);
            if (reader.Remaining < Preamble.Length || !reader.ReadBytes(Preamble.Length).SequenceEqual(Preamble))
                throw new SshException("Couldn't parse signature: invalid format");
            uint version = reader.ReadUInt32();
            if (version != Version)
                throw new SshException($"Couldn't parse signature: unsupported signature version {version}");
            var publicKey = SshPublicKey.FromBlob(reader.ReadString());
            string signedNamespace = reader.ReadUtf8String();
            reader.ReadString(); // reserved
            string hashAlgorithm = reader.ReadUtf8String();
            var signature = reader.ReadString();
            reader.EnsureAtEnd();
            if (signedNamespace != @namespace)
                throw new SshException($"Couldn't verify signature: namespace mismatch: signature \"{signedNamespace}\", expected \"{@namespace}\"");
            if (hashAlgorithm is not ("sha256" or "sha512"))
                throw new SshException($"Couldn't verify signature: unsupported hash algorithm \"{hashAlgorithm}\"");
            // PROTOCOL.sshsig forbids SHA-1 RSA signatures.
            if (publicKey.KeyType == KeyAlgorithms.Rsa && SignatureBlob.TryRead(signature, out var algorithm, out _)
                && algorithm is not (KeyAlgorithms.RsaSha256 or KeyAlgorithms.RsaSha512))
                throw new SshException("Couldn't verify signature: signature algorithm not supported");
            var signedData = SignedData(signedNamespace, hashAlgorithm, Hash(hashAlgorithm, message));
            if (!publicKey.Verify(signedData, signature))
                throw new SshException("Couldn't verify signature: incorrect signature");
            return publicKey;
        }
        catch (SshProtocolException e)
        {
            throw new SshException($"Couldn't parse signature: {e.Message}");
        }
        catch (SshKeyFormatException e)
        {
            throw new SshException($"Couldn't parse signature: {e.Message}");
        }
    }

    private static byte[] Hash(string hashAlgorithm, ReadOnlySpan<byte> message) => hashAlgorithm switch
    {
        "sha256" => SHA256.HashData(message),
        "sha512" => SHA512.HashData(message),
        _ => throw new ArgumentException($"unsupported hash algorithm {hashAlgorithm}", nameof(hashAlgorithm)),
    };

    private static byte[] SignedData(string @namespace, string hashAlgorithm, byte[] hash)
    {
        using var writer = new SshWriter(128);
        writer.WriteRaw(Preamble).WriteString(@namespace).WriteString(ReadOnlySpan<byte>.Empty)
            .WriteString(hashAlgorithm).WriteString(hash);
        return writer.ToArray();
    }
}
