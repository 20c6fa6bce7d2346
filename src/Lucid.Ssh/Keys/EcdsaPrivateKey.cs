using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An ECDSA private key on a NIST curve, held by .NET's (OpenSSL-backed) ECDsa.</summary>
public sealed class EcdsaPrivateKey : SshPrivateKey
{
    private readonly ECDsa _ecdsa;
    private readonly EcdsaPublicKey _publicKey;
    private bool _disposed;

    private EcdsaPrivateKey(ECDsa ecdsa, EcdsaCurve curve)
    {
        _ecdsa = ecdsa;
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        _publicKey = new EcdsaPublicKey(curve, parameters.Q);
    }

    /// <summary>Wraps a .NET key holding private parameters on P-256, P-384 or P-521; the new object owns <paramref name="ecdsa"/>.</summary>
    public static new EcdsaPrivateKey FromECDsa(ECDsa ecdsa)
    {
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var curve = EcdsaCurve.FromCurve(parameters.Curve) ?? throw new SshKeyFormatException("unsupported elliptic curve");
        return new EcdsaPrivateKey(ecdsa, curve);
    }

    /// <summary>A key from .NET parameters including D.</summary>
    public static EcdsaPrivateKey FromParameters(ECParameters parameters)
    {
        var curve = EcdsaCurve.FromCurve(parameters.Curve) ?? throw new SshKeyFormatException("unsupported elliptic curve");
        return FromParameters(curve, parameters.Q, parameters.D ?? throw new SshKeyFormatException("ECDSA parameters have no private key"));
    }

    public static EcdsaPrivateKey Generate(EcdsaCurve curve) => new(ECDsa.Create(curve.Curve), curve);

    public override SshPublicKey PublicKey => _publicKey;
    public EcdsaCurve Curve => _publicKey.Curve;

    /// <summary>The .NET key, for writing other formats (PEM, PKCS#8). Owned by this object.</summary>
    public ECDsa ECDsa
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _ecdsa;
        }
    }

    public ECParameters ExportParameters(bool includePrivateParameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _ecdsa.ExportParameters(includePrivateParameters);
    }

    public override byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckAlgorithm(signatureAlgorithm);
        int size = Curve.FieldSize;
        Span<byte> fixedForm = stackalloc byte[2 * size];
        if (!_ecdsa.TrySignData(data, fixedForm, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written) || written != 2 * size)
            throw new SshException("ECDSA signing failed");
        using var inner = new SshWriter(2 * size + 16);
        inner.WriteMPIntMagnitude(fixedForm[..size]).WriteMPIntMagnitude(fixedForm[size..]);
        return SignatureBlob.Create(Curve.KeyType, inner.WrittenSpan);
    }

    // openssh-key-v1: string curve identifier, string Q, mpint d.
    internal override void WriteOpenSshFields(SshWriter writer)
    {
        var parameters = ExportParameters(includePrivateParameters: true);
        try
        {
            writer.WriteString(Curve.Identifier)
                .WriteString(EcdsaPublicKey.EncodePoint(parameters.Q, Curve))
                .WriteMPIntMagnitude(parameters.D);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    internal static SshPrivateKey ReadOpenSshFields(ref SshReader reader, EcdsaCurve curve)
    {
        string identifier = reader.ReadUtf8String();
        if (identifier != curve.Identifier)
            throw new SshKeyFormatException($"invalid format: curve {identifier} does not match {curve.KeyType}");
        var q = EcdsaPublicKey.DecodePoint(reader.ReadString(), curve);
        var d = reader.ReadMPIntMagnitude();
        return FromParameters(curve, q, d.ToArray());
    }

    private static EcdsaPrivateKey FromParameters(EcdsaCurve curve, ECPoint q, byte[] d)
    {
        if (d.Length > curve.FieldSize)
            throw new SshKeyFormatException($"invalid format: {curve.KeyType} private scalar too long");
        var padded = new byte[curve.FieldSize];
        d.CopyTo(padded, curve.FieldSize - d.Length);
        CryptographicOperations.ZeroMemory(d);
        var parameters = new ECParameters
        {
            Curve = curve.Curve,
            D = padded,
            Q = new ECPoint { X = LeftPad(q.X, curve.FieldSize), Y = LeftPad(q.Y, curve.FieldSize) },
        };
        try
        {
            // OpenSSL checks that Q = d·G, so a file whose halves disagree is refused here.
            var ecdsa = ECDsa.Create(parameters);
            return new EcdsaPrivateKey(ecdsa, curve);
        }
        catch (CryptographicException)
        {
            throw new SshKeyFormatException($"invalid format: {curve.KeyType} private key does not match its public key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    private static byte[] LeftPad(byte[]? value, int size)
    {
        if (value is null || value.Length > size)
            throw new SshKeyFormatException("invalid format: bad elliptic curve point");
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (disposing)
            _ecdsa.Dispose();
    }
}
