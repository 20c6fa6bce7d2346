using System.Numerics;
using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An RSA private key held by .NET's (OpenSSL-backed) RSA. Signs rsa-sha2-512 and rsa-sha2-256; ssh-rsa (SHA-1) only when asked by name.</summary>
public sealed class RsaPrivateKey : SshPrivateKey
{
    private readonly RSA _rsa;
    private readonly RsaPublicKey _publicKey;
    private bool _disposed;

    private RsaPrivateKey(RSA rsa)
    {
        _rsa = rsa;
        _publicKey = new RsaPublicKey(rsa.ExportParameters(includePrivateParameters: false));
    }

    /// <summary>Wraps a .NET key holding private parameters; the new object owns <paramref name="rsa"/>.</summary>
    public static new RsaPrivateKey FromRsa(RSA rsa) => new(rsa);

    /// <summary>A key from .NET parameters (all CRT values present).</summary>
    public static RsaPrivateKey FromParameters(RSAParameters parameters)
    {
        try
        {
            return new RsaPrivateKey(RSA.Create(parameters));
        }
        catch (CryptographicException)
        {
            throw new SshKeyFormatException("invalid format: inconsistent RSA private key");
        }
    }

    /// <summary>A new key of <paramref name="bits"/> bits (0 means 3072), with ssh-keygen's limits and wording.</summary>
    public static RsaPrivateKey Generate(int bits)
    {
        if (bits == 0)
            bits = KeyAlgorithms.RsaDefaultBits;
        if (bits < KeyAlgorithms.RsaMinimumBits)
            throw new SshException($"Invalid RSA key length: minimum is {KeyAlgorithms.RsaMinimumBits} bits");
        if (bits > KeyAlgorithms.RsaMaximumBits)
            throw new SshException($"Invalid RSA key length: maximum is {KeyAlgorithms.RsaMaximumBits} bits");
        try
        {
            return new RsaPrivateKey(RSA.Create(bits));
        }
        catch (CryptographicException e)
        {
            throw new SshException($"Invalid RSA key length: {bits} bits is not supported ({e.Message})");
        }
    }

    public override SshPublicKey PublicKey => _publicKey;

    /// <summary>The .NET key, for writing other formats (PEM, PKCS#8). Owned by this object.</summary>
    public RSA Rsa
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _rsa;
        }
    }

    public RSAParameters ExportParameters(bool includePrivateParameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _rsa.ExportParameters(includePrivateParameters);
    }

    public override byte[] Sign(ReadOnlySpan<byte> data, string signatureAlgorithm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckAlgorithm(signatureAlgorithm);
        Span<byte> signature = stackalloc byte[(_publicKey.SizeInBits + 7) / 8];
        if (!_rsa.TrySignData(data, signature, KeyAlgorithms.HashOf(signatureAlgorithm), RSASignaturePadding.Pkcs1, out int written))
            throw new SshException("RSA signing failed");
        return SignatureBlob.Create(signatureAlgorithm, signature[..written]);
    }

    // openssh-key-v1: mpint n, mpint e, mpint d, mpint iqmp, mpint p, mpint q.
    internal override void WriteOpenSshFields(SshWriter writer)
    {
        var p = ExportParameters(includePrivateParameters: true);
        try
        {
            writer.WriteMPIntMagnitude(p.Modulus).WriteMPIntMagnitude(p.Exponent).WriteMPIntMagnitude(p.D)
                .WriteMPIntMagnitude(p.InverseQ).WriteMPIntMagnitude(p.P).WriteMPIntMagnitude(p.Q);
        }
        finally
        {
            Wipe(p);
        }
    }

    internal static SshPrivateKey ReadOpenSshFields(ref SshReader reader)
    {
        var n = reader.ReadMPIntMagnitude();
        var e = reader.ReadMPIntMagnitude();
        var d = reader.ReadMPIntMagnitude();
        var iqmp = reader.ReadMPIntMagnitude();
        var p = reader.ReadMPIntMagnitude();
        var q = reader.ReadMPIntMagnitude();
        return FromComponents(n, e, d, iqmp, p, q);
    }

    /// <summary>Builds .NET parameters from the components SSH stores, deriving d mod (p-1) and d mod (q-1).</summary>
    internal static RsaPrivateKey FromComponents(ReadOnlySpan<byte> n, ReadOnlySpan<byte> e, ReadOnlySpan<byte> d,
        ReadOnlySpan<byte> iqmp, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q)
    {
        var modulus = RsaPublicKey.TrimZeros(n.ToArray());
        if (modulus.Length == 0 || p.IsEmpty || q.IsEmpty || d.IsEmpty)
            throw new SshKeyFormatException("invalid format: empty RSA component");
        int half = (modulus.Length + 1) / 2;
        var bigD = new BigInteger(d, isUnsigned: true, isBigEndian: true);
        var bigP = new BigInteger(p, isUnsigned: true, isBigEndian: true);
        var bigQ = new BigInteger(q, isUnsigned: true, isBigEndian: true);
        if (bigP <= 1 || bigQ <= 1)
            throw new SshKeyFormatException("invalid format: bad RSA prime");
        var parameters = new RSAParameters
        {
            Modulus = modulus,
            Exponent = RsaPublicKey.TrimZeros(e.ToArray()),
            D = Fit(d, modulus.Length),
            P = Fit(p, half),
            Q = Fit(q, half),
            DP = Fit(bigD % (bigP - 1), half),
            DQ = Fit(bigD % (bigQ - 1), half),
            InverseQ = Fit(iqmp, half),
        };
        try
        {
            return FromParameters(parameters);
        }
        finally
        {
            Wipe(parameters);
        }
    }

    private static byte[] Fit(BigInteger value, int size)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        try
        {
            return Fit(bytes, size);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[] Fit(ReadOnlySpan<byte> value, int size)
    {
        int start = 0;
        while (start < value.Length && value[start] == 0)
            start++;
        value = value[start..];
        if (value.Length > size)
            throw new SshKeyFormatException("invalid format: RSA component larger than the modulus allows");
        var result = new byte[size];
        value.CopyTo(result.AsSpan(size - value.Length));
        return result;
    }

    private static void Wipe(RSAParameters p)
    {
        CryptographicOperations.ZeroMemory(p.D);
        CryptographicOperations.ZeroMemory(p.P);
        CryptographicOperations.ZeroMemory(p.Q);
        CryptographicOperations.ZeroMemory(p.DP);
        CryptographicOperations.ZeroMemory(p.DQ);
        CryptographicOperations.ZeroMemory(p.InverseQ);
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (disposing)
            _rsa.Dispose();
    }
}
