using System.Formats.Asn1;
using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// Public keys in the PEM forms ssh-keygen -e/-i -m PKCS8|PEM use: "BEGIN PUBLIC KEY" (X.509
/// SubjectPublicKeyInfo, for RSA, ECDSA and Ed25519) and "BEGIN RSA PUBLIC KEY" (PKCS#1, RSA only).
/// Works on SSH public key blobs so it does not depend on the key type table.
/// </summary>
public static class PublicKeyPemFormat
{
    public const string SpkiLabel = "PUBLIC KEY";
    public const string Pkcs1Label = "RSA PUBLIC KEY";

    private const string Ed25519Oid = "1.3.101.112";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";
    private static readonly byte[] Ed25519SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    /// <summary>ssh-keygen -e -m PKCS8: SubjectPublicKeyInfo for any supported type.</summary>
    public static string WritePkcs8(ReadOnlySpan<byte> blob) => Pem(SpkiLabel, ToSubjectPublicKeyInfo(blob));

    /// <summary>
    /// ssh-keygen -e -m PEM: PKCS#1 "RSA PUBLIC KEY" for RSA; ssh-keygen writes ECDSA keys as
    /// SubjectPublicKeyInfo here too, and so do we.
    /// </summary>
    public static string WritePem(ReadOnlySpan<byte> blob)
    {
        if (BlobType(blob) == "ssh-rsa")
        {
            using var rsa = RsaFromBlob(blob);
            return Pem(Pkcs1Label, rsa.ExportRSAPublicKey());
        }
        if (BlobType(blob).StartsWith("ecdsa-sha2-", StringComparison.Ordinal))
            return WritePkcs8(blob);
        throw new SshKeyFormatException($"unsupported key type {KeyFingerprint.TypeLabel(BlobType(blob))}");
    }

    /// <summary>Reads a "PUBLIC KEY" or "RSA PUBLIC KEY" PEM block and returns the SSH public key blob.</summary>
    public static byte[] Read(string text)
    {
        if (!PemEncoding.TryFind(text, out var fields))
            throw new SshKeyFormatException("no PEM \"-----BEGIN PUBLIC KEY-----\" block found");
        string label = text[fields.Label];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid base64 in the PEM block");
        }
        try
        {
            return label switch
            {
                SpkiLabel => FromSubjectPublicKeyInfo(der),
                Pkcs1Label => FromPkcs1(der),
                _ when label.Contains("PRIVATE KEY", StringComparison.Ordinal) =>
                    throw new SshKeyFormatException($"\"{label}\" is a private key; expected a public key"),
                _ => throw new SshKeyFormatException($"unsupported PEM type \"{label}\""),
            };
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            throw new SshKeyFormatException($"invalid {label} structure");
        }
        catch (PlatformNotSupportedException)
        {
            // An EC key on a curve OpenSSL does not know (an OID no SSH key type uses).
            throw new SshKeyFormatException($"unsupported elliptic curve in the {label} block");
        }
    }

    public static byte[] ToSubjectPublicKeyInfo(ReadOnlySpan<byte> blob)
    {
        string type = BlobType(blob);
        if (type == "ssh-rsa")
        {
            using var rsa = RsaFromBlob(blob);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        if (type.StartsWith("ecdsa-sha2-", StringComparison.Ordinal))
        {
            using var ec = EcdsaFromBlob(blob);
            return ec.ExportSubjectPublicKeyInfo();
        }
        if (type == "ssh-ed25519")
        {
            var reader = new SshReader(blob);
            reader.ReadString();
            var key = reader.ReadString();
            if (key.Length != 32)
                throw new SshKeyFormatException($"ed25519 public key is {key.Length} bytes, expected 32");
            return [.. Ed25519SpkiPrefix, .. key];
        }
        throw new SshKeyFormatException($"unsupported key type {KeyFingerprint.TypeLabel(type)}");
    }

    public static byte[] FromSubjectPublicKeyInfo(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        string oid = outer.ReadSequence().ReadObjectIdentifier();
        switch (oid)
        {
            case RsaOid:
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(der, out _);
                return RsaBlob(rsa.ExportParameters(false));
            }
            case EcOid:
            {
                using var ec = ECDsa.Create();
                ec.ImportSubjectPublicKeyInfo(der, out _);
                return EcdsaBlob(ec.ExportParameters(false));
            }
            case Ed25519Oid:
            {
                if (der.Length != Ed25519SpkiPrefix.Length + 32 || !der.AsSpan(0, Ed25519SpkiPrefix.Length).SequenceEqual(Ed25519SpkiPrefix))
                    throw new SshKeyFormatException("invalid Ed25519 SubjectPublicKeyInfo");
                using var w = new SshWriter();
                w.WriteString("ssh-ed25519").WriteString(der.AsSpan(Ed25519SpkiPrefix.Length));
                return w.ToArray();
            }
            default:
                throw new SshKeyFormatException($"unsupported public key algorithm {oid}");
        }
    }

    public static byte[] FromPkcs1(byte[] der)
    {
        using var rsa = RSA.Create();
        rsa.ImportRSAPublicKey(der, out int read);
        if (read != der.Length)
            throw new SshKeyFormatException("trailing data after the RSA public key");
        return RsaBlob(rsa.ExportParameters(false));
    }

    /// <summary>The key type name a blob starts with.</summary>
    public static string BlobType(ReadOnlySpan<byte> blob)
    {
        try
        {
            return new SshReader(blob).ReadUtf8String();
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException($"invalid public key blob: {e.Message}");
        }
    }

    private static RSA RsaFromBlob(ReadOnlySpan<byte> blob)
    {
        try
        {
            var reader = new SshReader(blob);
            reader.ReadString();
            var e = reader.ReadMPIntMagnitude().ToArray();
            var n = reader.ReadMPIntMagnitude().ToArray();
            reader.EnsureAtEnd();
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters { Exponent = e, Modulus = n });
            return rsa;
        }
        catch (Exception ex) when (ex is SshProtocolException or CryptographicException)
        {
            throw new SshKeyFormatException($"invalid ssh-rsa public key: {ex.Message}");
        }
    }

    private static ECDsa EcdsaFromBlob(ReadOnlySpan<byte> blob)
    {
        try
        {
            var reader = new SshReader(blob);
            string type = reader.ReadUtf8String();
            string curveName = reader.ReadUtf8String();
            var q = reader.ReadString();
            reader.EnsureAtEnd();
            if (type != "ecdsa-sha2-" + curveName)
                throw new SshKeyFormatException($"key type {type} does not match curve {curveName}");
            var (curve, size) = curveName switch
            {
                "nistp256" => (ECCurve.NamedCurves.nistP256, 32),
                "nistp384" => (ECCurve.NamedCurves.nistP384, 48),
                "nistp521" => (ECCurve.NamedCurves.nistP521, 66),
                _ => throw new SshKeyFormatException($"unsupported curve {curveName}"),
            };
            if (q.Length != 1 + 2 * size || q[0] != 4)
                throw new SshKeyFormatException($"invalid {curveName} point ({q.Length} bytes)");
            var ec = ECDsa.Create();
            ec.ImportParameters(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = q.Slice(1, size).ToArray(), Y = q.Slice(1 + size, size).ToArray() },
            });
            return ec;
        }
        catch (Exception ex) when (ex is SshProtocolException or CryptographicException)
        {
            throw new SshKeyFormatException($"invalid ECDSA public key: {ex.Message}");
        }
    }

    private static byte[] RsaBlob(RSAParameters p)
    {
        using var w = new SshWriter();
        w.WriteString("ssh-rsa").WriteMPIntMagnitude(p.Exponent).WriteMPIntMagnitude(p.Modulus);
        return w.ToArray();
    }

    private static byte[] EcdsaBlob(ECParameters p)
    {
        string curveName = p.Curve.Oid.Value switch
        {
            "1.2.840.10045.3.1.7" => "nistp256",
            "1.3.132.0.34" => "nistp384",
            "1.3.132.0.35" => "nistp521",
            _ => throw new SshKeyFormatException($"unsupported elliptic curve {p.Curve.Oid.Value ?? p.Curve.Oid.FriendlyName}"),
        };
        int size = curveName switch { "nistp256" => 32, "nistp384" => 48, _ => 66 };
        var q = new byte[1 + 2 * size];
        q[0] = 4;
        p.Q.X!.CopyTo(q, 1 + size - p.Q.X!.Length);
        p.Q.Y!.CopyTo(q, 1 + 2 * size - p.Q.Y!.Length);
        using var w = new SshWriter();
        w.WriteString("ecdsa-sha2-" + curveName).WriteString(curveName).WriteString(q);
        return w.ToArray();
    }

    private static string Pem(string label, byte[] der) => new string(PemEncoding.Write(label, der)) + "\n";
}
