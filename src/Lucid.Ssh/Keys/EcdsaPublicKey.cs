using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An ecdsa-sha2-nistp256/384/521 public key (RFC 5656): curve identifier and uncompressed point.</summary>
public sealed class EcdsaPublicKey : SshPublicKey
{
    private readonly ECDsa _ecdsa;
    private readonly byte[] _blob;
    private readonly string[] _signatureAlgorithms;

    /// <summary>A key from .NET parameters (only the curve and Q are used).</summary>
    public EcdsaPublicKey(ECParameters parameters)
        : this(EcdsaCurve.FromCurve(parameters.Curve) ?? throw new SshKeyFormatException("unsupported elliptic curve"),
               parameters.Q)
    {
    }

    internal EcdsaPublicKey(EcdsaCurve curve, ECPoint q)
    {
        Curve = curve;
        if (q.X is null || q.Y is null || q.X.Length > curve.FieldSize || q.Y.Length > curve.FieldSize)
            throw new SshKeyFormatException($"invalid {curve.KeyType} public key: bad point");
        var point = new ECPoint { X = LeftPad(q.X, curve.FieldSize), Y = LeftPad(q.Y, curve.FieldSize) };
        try
        {
            _ecdsa = ECDsa.Create(new ECParameters { Curve = curve.Curve, Q = point });
        }
        catch (CryptographicException)
        {
            throw new SshKeyFormatException($"invalid {curve.KeyType} public key: point is not on the curve");
        }
        Q = point;
        _signatureAlgorithms = [curve.KeyType];
        using var writer = new SshWriter(2 * curve.FieldSize + 64);
        writer.WriteString(curve.KeyType).WriteString(curve.Identifier).WriteString(EncodePoint(point, curve));
        _blob = writer.ToArray();
    }

    public EcdsaCurve Curve { get; }

    /// <summary>The public point, coordinates padded to the field size.</summary>
    public ECPoint Q { get; }

    public override string KeyType => Curve.KeyType;
    public override int SizeInBits => Curve.Bits;
    public override ReadOnlyMemory<byte> Blob => _blob;
    public override IReadOnlyList<string> SignatureAlgorithms => _signatureAlgorithms;

    public ECParameters ExportParameters() => new() { Curve = Curve.Curve, Q = new ECPoint { X = (byte[])Q.X!.Clone(), Y = (byte[])Q.Y!.Clone() } };

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob)
    {
        if (!SignatureBlob.TryRead(signatureBlob, out var algorithm, out var signature) || algorithm != Curve.KeyType)
            return false;
        int size = Curve.FieldSize;
        Span<byte> fixedForm = stackalloc byte[2 * size];
        fixedForm.Clear();
        try
        {
            // The signature is mpint r, mpint s; .NET wants r || s, each padded to the field size.
            var reader = new SshReader(signature);
            var r = reader.ReadMPIntMagnitude();
            var s = reader.ReadMPIntMagnitude();
            if (!reader.IsAtEnd || r.Length > size || s.Length > size || r.IsEmpty || s.IsEmpty)
                return false;
            r.CopyTo(fixedForm[(size - r.Length)..size]);
            s.CopyTo(fixedForm[(2 * size - s.Length)..]);
        }
        catch (SshProtocolException)
        {
            return false;
        }
        return _ecdsa.VerifyData(data, fixedForm, Curve.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    internal static byte[] EncodePoint(ECPoint point, EcdsaCurve curve)
    {
        var encoded = new byte[1 + 2 * curve.FieldSize];
        encoded[0] = 0x04;
        point.X.AsSpan().CopyTo(encoded.AsSpan(1 + curve.FieldSize - point.X!.Length));
        point.Y.AsSpan().CopyTo(encoded.AsSpan(1 + 2 * curve.FieldSize - point.Y!.Length));
        return encoded;
    }

    internal static ECPoint DecodePoint(ReadOnlySpan<byte> encoded, EcdsaCurve curve)
    {
        if (encoded.Length != 1 + 2 * curve.FieldSize || encoded[0] != 0x04)
            throw new SshKeyFormatException($"invalid {curve.KeyType} public key: point is not in uncompressed form");
        return new ECPoint
        {
            X = encoded.Slice(1, curve.FieldSize).ToArray(),
            Y = encoded.Slice(1 + curve.FieldSize, curve.FieldSize).ToArray(),
        };
    }

    internal static SshPublicKey ReadBlobFields(ref SshReader reader, EcdsaCurve curve)
    {
        string identifier = reader.ReadUtf8String();
        if (identifier != curve.Identifier)
            throw new SshKeyFormatException($"invalid {curve.KeyType} public key: curve {identifier} does not match the key type");
        return new EcdsaPublicKey(curve, DecodePoint(reader.ReadString(), curve));
    }

    private static byte[] LeftPad(byte[] value, int size)
    {
        if (value.Length == size)
            return (byte[])value.Clone();
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }
}
