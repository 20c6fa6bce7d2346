using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An ssh-rsa public key (RFC 4253): mpint e, mpint n. Verifies rsa-sha2-512, rsa-sha2-256 and legacy ssh-rsa (SHA-1) signatures.</summary>
public sealed class RsaPublicKey : SshPublicKey
{
    private static readonly string[] s_signatureAlgorithms = [KeyAlgorithms.RsaSha512, KeyAlgorithms.RsaSha256, KeyAlgorithms.Rsa];
    private readonly RSA _rsa;
    private readonly byte[] _blob;
    private readonly byte[] _modulus;
    private readonly byte[] _exponent;

    /// <summary>A key from .NET parameters (only Modulus and Exponent are used).</summary>
    public RsaPublicKey(RSAParameters parameters)
    {
        _modulus = TrimZeros(parameters.Modulus ?? throw new SshKeyFormatException("RSA parameters have no modulus"));
        _exponent = TrimZeros(parameters.Exponent ?? throw new SshKeyFormatException("RSA parameters have no exponent"));
        SizeInBits = BitLength(_modulus);
        if (SizeInBits < KeyAlgorithms.RsaMinimumBits || SizeInBits > KeyAlgorithms.RsaMaximumBits)
            throw new SshKeyFormatException($"Invalid key length: RSA modulus of {SizeInBits} bits (allowed {KeyAlgorithms.RsaMinimumBits} to {KeyAlgorithms.RsaMaximumBits})");
        if (_exponent.Length == 0 || (_exponent[^1] & 1) == 0 || (_modulus[^1] & 1) == 0)
            throw new SshKeyFormatException("invalid ssh-rsa public key: even exponent or modulus");
        try
        {
            _rsa = RSA.Create(new RSAParameters { Modulus = _modulus, Exponent = _exponent });
        }
        catch (CryptographicException)
        {
            throw new SshKeyFormatException("invalid ssh-rsa public key");
        }
        using var writer = new SshWriter(_modulus.Length + 32);
        writer.WriteString(KeyAlgorithms.Rsa).WriteMPIntMagnitude(_exponent).WriteMPIntMagnitude(_modulus);
        _blob = writer.ToArray();
    }

    public override string KeyType => KeyAlgorithms.Rsa;
    public override int SizeInBits { get; }
    public override ReadOnlyMemory<byte> Blob => _blob;
    public override IReadOnlyList<string> SignatureAlgorithms => s_signatureAlgorithms;

    public RSAParameters ExportParameters() => new() { Modulus = (byte[])_modulus.Clone(), Exponent = (byte[])_exponent.Clone() };

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob)
    {
        if (!SignatureBlob.TryRead(signatureBlob, out var algorithm, out var signature))
            return false;
        if (algorithm is not (KeyAlgorithms.RsaSha512 or KeyAlgorithms.RsaSha256 or KeyAlgorithms.Rsa))
            return false;
        int size = _modulus.Length;
        if (signature.Length > size || signature.IsEmpty)
            return false;
        // Some implementations drop leading zero bytes of the signature; OpenSSH pads them back, so do we.
        Span<byte> padded = stackalloc byte[size];
        padded.Clear();
        signature.CopyTo(padded[(size - signature.Length)..]);
        return _rsa.VerifyData(data, padded, KeyAlgorithms.HashOf(algorithm), RSASignaturePadding.Pkcs1);
    }

    internal static SshPublicKey ReadBlobFields(ref SshReader reader)
    {
        var e = reader.ReadMPIntMagnitude();
        var n = reader.ReadMPIntMagnitude();
        return new RsaPublicKey(new RSAParameters { Exponent = e.ToArray(), Modulus = n.ToArray() });
    }

    internal static byte[] TrimZeros(byte[] value)
    {
        int start = 0;
        while (start < value.Length && value[start] == 0)
            start++;
        return start == 0 ? value : value[start..];
    }

    private static int BitLength(byte[] magnitude) =>
        magnitude.Length == 0 ? 0 : (magnitude.Length - 1) * 8 + (32 - int.LeadingZeroCount(magnitude[0]));
}
