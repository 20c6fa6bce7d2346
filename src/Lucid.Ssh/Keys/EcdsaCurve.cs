using System.Security.Cryptography;

namespace Lucid.Ssh.Keys;

/// <summary>Facts about one NIST curve as SSH uses it (RFC 5656).</summary>
public sealed class EcdsaCurve
{
    private EcdsaCurve(string identifier, int bits, ECCurve curve, string oid, HashAlgorithmName hash)
    {
        Identifier = identifier;
        Bits = bits;
        Curve = curve;
        Oid = oid;
        Hash = hash;
        FieldSize = (bits + 7) / 8;
    }

    public static EcdsaCurve NistP256 { get; } = new("nistp256", 256, ECCurve.NamedCurves.nistP256, "1.2.840.10045.3.1.7", HashAlgorithmName.SHA256);
    public static EcdsaCurve NistP384 { get; } = new("nistp384", 384, ECCurve.NamedCurves.nistP384, "1.3.132.0.34", HashAlgorithmName.SHA384);
    public static EcdsaCurve NistP521 { get; } = new("nistp521", 521, ECCurve.NamedCurves.nistP521, "1.3.132.0.35", HashAlgorithmName.SHA512);

    /// <summary>The curve name inside the key blob: nistp256, nistp384, nistp521.</summary>
    public string Identifier { get; }
    public string KeyType => "ecdsa-sha2-" + Identifier;
    public int Bits { get; }

    /// <summary>Bytes per coordinate and per signature integer.</summary>
    public int FieldSize { get; }
    public ECCurve Curve { get; }
    public string Oid { get; }
    public HashAlgorithmName Hash { get; }

    public static EcdsaCurve? FromIdentifier(string identifier) => identifier switch
    {
        "nistp256" => NistP256,
        "nistp384" => NistP384,
        "nistp521" => NistP521,
        _ => null,
    };

    /// <summary>The curve of imported .NET parameters, recognised by OID value or by any of its friendly names.</summary>
    public static EcdsaCurve? FromCurve(ECCurve curve)
    {
        if (!curve.IsNamed)
            return null;
        string? oid = curve.Oid.Value;
        string? name = curve.Oid.FriendlyName;
        foreach (var c in (ReadOnlySpan<EcdsaCurve>)[NistP256, NistP384, NistP521])
        {
            if (oid == c.Oid || string.Equals(name, c.Curve.Oid.FriendlyName, StringComparison.OrdinalIgnoreCase))
                return c;
        }
        return name switch
        {
            "ECDSA_P256" or "secp256r1" or "prime256v1" => NistP256,
            "ECDSA_P384" or "secp384r1" => NistP384,
            "ECDSA_P521" or "secp521r1" => NistP521,
            _ => null,
        };
    }
}
