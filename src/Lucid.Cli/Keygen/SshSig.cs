using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Cli.Keygen;

/// <summary>
/// OpenSSH's file signatures (PROTOCOL.sshsig), what ssh-keygen -Y sign writes and -Y verify checks:
/// the signature covers "SSHSIG", the namespace, a reserved string, the hash name and the message hash.
/// </summary>
internal static class SshSig
{
    private const string Magic = "SSHSIG";
    private const uint Version = 1;
    private const string Begin = "-----BEGIN SSH SIGNATURE-----";
    private const string End = "-----END SSH SIGNATURE-----";

    public static readonly string[] HashAlgorithms = ["sha256", "sha512"];

    /// <summary>A problem, worded as sshsig.c reports it.</summary>
    public sealed class SigException(string message) : Exception(message);

    public static byte[] Hash(string hashAlgorithm, Stream message) =>
        hashAlgorithm == "sha256" ? SHA256.HashData(message) : SHA512.HashData(message);

    public static byte[] Sign(SshPrivateKey key, string ns, string hashAlgorithm, byte[] messageHash)
    {
        // RSA signs with rsa-sha2-512, as OpenSSH does; other types have one algorithm.
        string algorithm = key.KeyType == KeyAlgorithms.Rsa ? KeyAlgorithms.RsaSha512 : key.DefaultSignatureAlgorithm;
        byte[] signature = key.Sign(SignedData(ns, hashAlgorithm, messageHash), algorithm);
        using var w = new SshWriter();
        w.WriteRaw(Encoding.ASCII.GetBytes(Magic)).WriteUInt32(Version).WriteString(key.PublicKey.Blob.Span)
            .WriteString(ns).WriteString("").WriteString(hashAlgorithm).WriteString(signature);
        return w.ToArray();
    }

    /// <summary>The armored text: base64 in 70-character lines between the markers, as sshsig_armor writes it.</summary>
    public static string Armor(byte[] blob)
    {
        var sb = new StringBuilder(Begin).Append('\n');
        string b64 = Convert.ToBase64String(blob);
        for (int i = 0; i < b64.Length; i += 70)
            sb.Append(b64.AsSpan(i, Math.Min(70, b64.Length - i))).Append('\n');
        return sb.Append(End).Append('\n').ToString();
    }

    public static byte[] Dearmor(string text)
    {
        if (!text.StartsWith(Begin + "\n", StringComparison.Ordinal))
            throw new SigException("Couldn't parse signature: missing header");
        int end = text.IndexOf(End, Begin.Length, StringComparison.Ordinal);
        if (end < 0)
            throw new SigException("Couldn't parse signature: missing footer");
        try
        {
            return Convert.FromBase64String(text[(Begin.Length + 1)..end]);
        }
        catch (FormatException)
        {
            throw new SigException("sshsig_dearmor: decode base64: invalid format");
        }
    }

    /// <summary>The hash algorithm a signature was made with (needed before hashing the message).</summary>
    public static string PeekHashAlgorithm(byte[] blob)
    {
        try
        {
            var r = Preamble(blob);
            r.ReadString();
            r.ReadString();
            r.ReadString();
            return r.ReadUtf8String();
        }
        catch (SshProtocolException)
        {
            throw new SigException("sshsig_peek_hashalg: parse signature object: invalid format");
        }
    }

    /// <summary>Checks the signature over <paramref name="messageHash"/>; returns the signing key or throws with OpenSSH's wording.</summary>
    public static SshPublicKey Verify(byte[] blob, string expectedNamespace, byte[] messageHash)
    {
        SshPublicKey key;
        string ns, hashAlgorithm;
        byte[] signature;
        try
        {
            var r = Preamble(blob);
            key = SshPublicKey.FromBlob(r.ReadString());
            ns = r.ReadUtf8String();
            r.ReadString(); // reserved: ignored, as the spec says
            hashAlgorithm = r.ReadUtf8String();
            signature = r.ReadString().ToArray();
            if (!r.IsAtEnd)
                throw new SigException("Signature contains trailing data");
        }
        catch (Exception e) when (e is SshProtocolException or SshKeyFormatException)
        {
            throw new SigException("sshsig_wrap_verify: parse signature object: invalid format");
        }
        if (ns != expectedNamespace)
            throw new SigException("Couldn't verify signature: namespace does not match");
        if (!HashAlgorithms.Contains(hashAlgorithm))
            throw new SigException($"sshsig_check_hashalg: unsupported hash algorithm \"{hashAlgorithm}\"");
        string signatureAlgorithm;
        try
        {
            signatureAlgorithm = new SshReader(signature).ReadUtf8String();
        }
        catch (SshProtocolException)
        {
            throw new SigException("Signature verification failed: invalid format");
        }
        if (key.KeyType == KeyAlgorithms.Rsa && signatureAlgorithm is not (KeyAlgorithms.RsaSha512 or KeyAlgorithms.RsaSha256))
            throw new SigException($"Couldn't verify signature: unsupported RSA signature algorithm {signatureAlgorithm}");
        if (!key.Verify(SignedData(ns, hashAlgorithm, messageHash), signature))
            throw new SigException("Signature verification failed: incorrect signature");
        return key;
    }

    private static SshReader Preamble(byte[] blob)
    {
        var r = new SshReader(blob);
        if (blob.Length < Magic.Length + 4 || Encoding.ASCII.GetString(r.ReadBytes(Magic.Length)) != Magic)
            throw new SigException("Couldn't verify signature: invalid format");
        uint version = r.ReadUInt32();
        if (version > Version)
            throw new SigException($"Signature version {version} is larger than supported version {Version}");
        return r;
    }

    private static byte[] SignedData(string ns, string hashAlgorithm, byte[] messageHash)
    {
        using var w = new SshWriter();
        w.WriteRaw(Encoding.ASCII.GetBytes(Magic)).WriteString(ns).WriteString("").WriteString(hashAlgorithm).WriteString(messageHash);
        return w.ToArray();
    }
}
