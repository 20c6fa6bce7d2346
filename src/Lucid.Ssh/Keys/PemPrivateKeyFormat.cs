using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.Keys;

/// <summary>
/// OpenSSL's PEM private keys as ssh-keygen -m PEM / -m PKCS8 reads and writes them: PKCS#1 (RSA), SEC1 (EC),
/// PKCS#8 plain and PBES2-encrypted, and the legacy "Proc-Type: 4,ENCRYPTED" encryption of PKCS#1/SEC1.
/// .NET does the ASN.1; this class adds the legacy encryption and the format detection.
/// </summary>
public static class PemPrivateKeyFormat
{
    public const string RsaLabel = "RSA PRIVATE KEY";
    public const string EcLabel = "EC PRIVATE KEY";
    public const string Pkcs8Label = "PRIVATE KEY";
    public const string EncryptedPkcs8Label = "ENCRYPTED PRIVATE KEY";

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private const string Ed25519Oid = "1.3.101.112";

    /// <summary>What ssh-keygen -m PKCS8 -N uses (OpenSSL's PEM_write_bio_PrivateKey defaults): PBES2, PBKDF2-HMAC-SHA256, 2048 iterations, AES-128-CBC.</summary>
    private static readonly PbeParameters s_pkcs8Encryption = new(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 2048);

    /// <summary>The label of the first PEM block if it is a private key label this class reads; otherwise null.</summary>
    public static string? DetectLabel(string text)
    {
        int begin = text.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        if (begin < 0)
            return null;
        int start = begin + "-----BEGIN ".Length;
        int end = text.IndexOf("-----", start, StringComparison.Ordinal);
        if (end < 0)
            return null;
        string label = text[start..end];
        return label is RsaLabel or EcLabel or Pkcs8Label or EncryptedPkcs8Label ? label : null;
    }

    /// <summary>Reads any of the four PEM private key kinds; wrong or missing passphrase → <see cref="SshWrongPassphraseException"/>.</summary>
    public static SshPrivateKey Read(string text, string? passphrase)
    {
        string label = DetectLabel(text) ?? throw new SshKeyFormatException("invalid format: no PEM private key block");
        var (headers, der) = Dearmor(text, label);
        try
        {
            if (headers.TryGetValue("Proc-Type", out var procType) && procType.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                if (string.IsNullOrEmpty(passphrase))
                    throw new SshWrongPassphraseException(passphraseGiven: false);
                var decrypted = DecryptLegacy(headers, der, passphrase);
                CryptographicOperations.ZeroMemory(der);
                der = decrypted;
                try
                {
                    return Import(label, der);
                }
                catch (SshKeyFormatException)
                {
                    // CBC padding happened to look valid but the content is garbage: the passphrase was wrong.
                    throw new SshWrongPassphraseException(passphraseGiven: true);
                }
            }
            if (label == EncryptedPkcs8Label)
            {
                if (string.IsNullOrEmpty(passphrase))
                    throw new SshWrongPassphraseException(passphraseGiven: false);
                return ImportEncryptedPkcs8(der, passphrase);
            }
            return Import(label, der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>True when the PEM block is encrypted (legacy Proc-Type or encrypted PKCS#8).</summary>
    public static bool IsEncrypted(string text)
    {
        string? label = DetectLabel(text);
        return label == EncryptedPkcs8Label || (label is not null && text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal));
    }

    /// <summary>
    /// The traditional OpenSSL form ssh-keygen -m PEM writes: PKCS#1 for RSA, SEC1 for ECDSA; with a passphrase,
    /// AES-128-CBC under the legacy MD5 key derivation. Ed25519 has no such form (ssh-keygen writes openssh-key-v1 instead).
    /// </summary>
    public static string WritePem(SshPrivateKey key, string? passphrase)
    {
        byte[] der;
        string label;
        switch (key)
        {
            case RsaPrivateKey rsa:
                der = rsa.Rsa.ExportRSAPrivateKey();
                label = RsaLabel;
                break;
            case EcdsaPrivateKey ec:
                der = ec.ECDsa.ExportECPrivateKey();
                label = EcLabel;
                break;
            default:
                throw new NotSupportedException($"{key.KeyType} keys cannot be written in PEM format");
        }
        try
        {
            if (string.IsNullOrEmpty(passphrase))
                return new string(PemEncoding.Write(label, der)) + "\n";
            var iv = RandomNumberGenerator.GetBytes(16);
            var aesKey = LegacyKey(passphrase, iv, 16);
            byte[] encrypted;
            using (var aes = Aes.Create())
            {
                aes.SetKey(aesKey);
                encrypted = aes.EncryptCbc(der, iv, PaddingMode.PKCS7);
            }
            CryptographicOperations.ZeroMemory(aesKey);
            var body = Convert.ToBase64String(encrypted);
            var text = new StringBuilder();
            text.Append("-----BEGIN ").Append(label).Append("-----\n");
            text.Append("Proc-Type: 4,ENCRYPTED\n");
            text.Append("DEK-Info: AES-128-CBC,").Append(Convert.ToHexString(iv)).Append("\n\n");
            for (int i = 0; i < body.Length; i += 64)
                text.Append(body.AsSpan(i, Math.Min(64, body.Length - i))).Append('\n');
            text.Append("-----END ").Append(label).Append("-----\n");
            return text.ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>PKCS#8 as ssh-keygen -m PKCS8 writes it: "PRIVATE KEY", or with a passphrase "ENCRYPTED PRIVATE KEY" (PBES2, AES-128-CBC).</summary>
    public static string WritePkcs8(SshPrivateKey key, string? passphrase)
    {
        AsymmetricAlgorithm algorithm = key switch
        {
            RsaPrivateKey rsa => rsa.Rsa,
            EcdsaPrivateKey ec => ec.ECDsa,
            _ => throw new NotSupportedException($"{key.KeyType} keys cannot be written in PKCS#8 format"),
        };
        var pem = string.IsNullOrEmpty(passphrase)
            ? algorithm.ExportPkcs8PrivateKeyPem()
            : algorithm.ExportEncryptedPkcs8PrivateKeyPem(passphrase, s_pkcs8Encryption);
        return pem + "\n";
    }

    private static SshPrivateKey Import(string label, byte[] der)
    {
        try
        {
            switch (label)
            {
                case RsaLabel:
                {
                    var rsa = RSA.Create();
                    int read = 0;
                    return Finish(Owned(rsa, r =>
                    {
                        r.ImportRSAPrivateKey(der, out read);
                        return RsaPrivateKey.FromRsa(r);
                    }), read, der);
                }
                case EcLabel:
                {
                    var ec = ECDsa.Create();
                    int read = 0;
                    return Finish(Owned(ec, e =>
                    {
                        e.ImportECPrivateKey(der, out read);
                        return EcdsaPrivateKey.FromECDsa(e);
                    }), read, der);
                }
                default:
                    return ImportPkcs8(der);
            }
        }
        catch (CryptographicException)
        {
            throw new SshKeyFormatException($"invalid format: malformed {label}");
        }
        catch (AsnContentException)
        {
            throw new SshKeyFormatException($"invalid format: malformed {label}");
        }
        catch (PlatformNotSupportedException)
        {
            // An elliptic curve OpenSSL does not know (or a damaged curve OID).
            throw new SshKeyFormatException("invalid elliptic curve");
        }
    }

    private static SshPrivateKey ImportPkcs8(byte[] der)
    {
        string oid = Pkcs8AlgorithmOid(der);
        switch (oid)
        {
            case RsaOid:
            {
                var rsa = RSA.Create();
                int read = 0;
                return Finish(Owned(rsa, r =>
                {
                    r.ImportPkcs8PrivateKey(der, out read);
                    return RsaPrivateKey.FromRsa(r);
                }), read, der);
            }
            case EcOid:
            {
                var ec = ECDsa.Create();
                int read = 0;
                return Finish(Owned(ec, e =>
                {
                    e.ImportPkcs8PrivateKey(der, out read);
                    return EcdsaPrivateKey.FromECDsa(e);
                }), read, der);
            }
            case Ed25519Oid:
                return ImportEd25519Pkcs8(der);
            default:
                throw new SshKeyFormatException("unknown or unsupported key type");
        }
    }

    // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING privateKey, ... } (RFC 5208 / 5958).
    private static string Pkcs8AlgorithmOid(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        outer.ReadInteger();
        var algorithm = outer.ReadSequence();
        return algorithm.ReadObjectIdentifier();
    }

    // RFC 8410: the private key OCTET STRING wraps CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
    private static SshPrivateKey ImportEd25519Pkcs8(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        outer.ReadInteger();
        outer.ReadSequence();
        var wrapped = outer.ReadOctetString();
        var seed = new AsnReader(wrapped, AsnEncodingRules.BER).ReadOctetString();
        try
        {
            return Ed25519PrivateKey.FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrapped);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static SshPrivateKey ImportEncryptedPkcs8(byte[] der, string passphrase)
    {
        // .NET decrypts PBES1/PBES2 but only through a typed key, so try each type; a failure of both is,
        // in practice, a wrong passphrase (the padding or the ASN.1 inside does not survive a wrong key).
        var rsa = RSA.Create();
        try
        {
            rsa.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _);
            return RsaPrivateKey.FromRsa(rsa);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            ec.Dispose();
            throw new SshWrongPassphraseException(passphraseGiven: true);
        }
        return Owned(ec, EcdsaPrivateKey.FromECDsa);
    }

    /// <summary>Hands <paramref name="algorithm"/> to the key built from it, disposing it if building fails.</summary>
    private static SshPrivateKey Owned<T>(T algorithm, Func<T, SshPrivateKey> build) where T : AsymmetricAlgorithm
    {
        try
        {
            return build(algorithm);
        }
        catch
        {
            algorithm.Dispose();
            throw;
        }
    }

    private static SshPrivateKey Finish(SshPrivateKey key, int read, byte[] der)
    {
        if (read != der.Length)
        {
            key.Dispose();
            throw new SshKeyFormatException("invalid format: unexpected bytes after the key");
        }
        return key;
    }

    private static byte[] DecryptLegacy(Dictionary<string, string> headers, byte[] encrypted, string passphrase)
    {
        if (!headers.TryGetValue("DEK-Info", out var dekInfo))
            throw new SshKeyFormatException("invalid format: encrypted PEM without DEK-Info");
        var parts = dekInfo.Split(',', 2, StringSplitOptions.TrimEntries);
        byte[] iv;
        try
        {
            iv = Convert.FromHexString(parts.Length == 2 ? parts[1] : "");
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid format: bad DEK-Info IV");
        }
        (int keySize, int ivSize, bool tripleDes) = parts[0] switch
        {
            "AES-128-CBC" => (16, 16, false),
            "AES-192-CBC" => (24, 16, false),
            "AES-256-CBC" => (32, 16, false),
            "DES-EDE3-CBC" => (24, 8, true),
            _ => throw new SshKeyFormatException("key encrypted using unsupported cipher"),
        };
        if (iv.Length != ivSize || encrypted.Length == 0 || encrypted.Length % ivSize != 0)
            throw new SshKeyFormatException("invalid format: bad encrypted PEM body");
        var key = LegacyKey(passphrase, iv, keySize);
        try
        {
            using SymmetricAlgorithm cipher = tripleDes ? TripleDES.Create() : Aes.Create();
            cipher.SetKey(key);
            return cipher.DecryptCbc(encrypted, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            // Bad padding after decryption: the key, so the passphrase, was wrong.
            throw new SshWrongPassphraseException(passphraseGiven: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>OpenSSL's EVP_BytesToKey with MD5, one iteration, the first 8 IV bytes as salt: D_i = MD5(D_{i-1} || pass || salt).</summary>
    private static byte[] LegacyKey(string passphrase, byte[] iv, int size)
    {
        var pass = Encoding.UTF8.GetBytes(passphrase);
        var key = new byte[size];
        var block = Array.Empty<byte>();
        int filled = 0;
        try
        {
            while (filled < size)
            {
                var input = new byte[block.Length + pass.Length + 8];
                block.CopyTo(input, 0);
                pass.CopyTo(input, block.Length);
                Array.Copy(iv, 0, input, block.Length + pass.Length, 8);
                CryptographicOperations.ZeroMemory(block);
#pragma warning disable CA5351 // MD5 is what the legacy OpenSSL PEM encryption is defined with; it is not our choice.
                block = MD5.HashData(input);
#pragma warning restore CA5351
                CryptographicOperations.ZeroMemory(input);
                int take = Math.Min(block.Length, size - filled);
                block.AsSpan(0, take).CopyTo(key.AsSpan(filled));
                filled += take;
            }
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pass);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    private static (Dictionary<string, string> Headers, byte[] Der) Dearmor(string text, string label)
    {
        string begin = $"-----BEGIN {label}-----";
        string end = $"-----END {label}-----";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        int stop = text.IndexOf(end, start + begin.Length, StringComparison.Ordinal);
        if (stop < 0)
            throw new SshKeyFormatException($"invalid format: no -----END {label}----- line (file truncated?)");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var body = new StringBuilder();
        foreach (var rawLine in text[(start + begin.Length)..stop].Split('\n'))
        {
            var line = rawLine.Trim();
            int colon = line.IndexOf(':');
            if (colon > 0 && body.Length == 0)
                headers[line[..colon]] = line[(colon + 1)..].Trim();
            else
                body.Append(line);
        }
        try
        {
            return (headers, Convert.FromBase64String(body.ToString()));
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid format: bad base64 data");
        }
    }
}
