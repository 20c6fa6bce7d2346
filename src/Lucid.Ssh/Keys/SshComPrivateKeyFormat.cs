using System.Numerics;
using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// SSH Communications' private key file ("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", the RFC 4716 armour
/// around a private blob) as `ssh-keygen -i` imports it: unencrypted ("none") RSA keys only, as OpenSSH.
/// The blob: magic 0x3f6ff9eb, total length, key type ("if-modn{sign{rsa-...}}"), cipher, then the key data
/// (a string in a string) with, for RSA, e, d, n, iqmp, q and p, each as a bit count and that many bits.
/// </summary>
public static class SshComPrivateKeyFormat
{
    public const string BeginMarker = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----";
    public const string EndMarker = "---- END SSH2 ENCRYPTED PRIVATE KEY ----";
    private const uint Magic = 0x3f6ff9eb;

    public static bool LooksLike(string text) => text.TrimStart().StartsWith(BeginMarker, StringComparison.Ordinal);

    /// <summary>The RSA key in a decoded blob; <see cref="SshKeyFormatException"/> says why one cannot be read.</summary>
    public static RsaPrivateKey Read(ReadOnlySpan<byte> blob)
    {
        try
        {
            var reader = new SshReader(blob);
            var magic = reader.ReadUInt32();
            if (magic != Magic)
                throw new SshKeyFormatException($"bad magic 0x{magic:x} != 0x{Magic:x}");
            reader.ReadUInt32(); // total length
            var type = reader.ReadUtf8String();
            var cipher = reader.ReadUtf8String();
            if (cipher != "none")
                throw new SshKeyFormatException($"unsupported cipher {cipher}");
            if (!type.Contains("rsa", StringComparison.Ordinal))
                throw new SshKeyFormatException($"unsupported key type {type}");
            // The key data is a string holding a string: the outer one sized for any padding an encryption adds.
            var outer = new SshReader(reader.ReadString());
            var data = new SshReader(outer.ReadString());
            var e = Bits(ref data);
            var d = Bits(ref data);
            var n = Bits(ref data);
            var iqmp = Bits(ref data);
            var q = Bits(ref data);
            var p = Bits(ref data);
            if (data.Remaining != 0)
                throw new SshKeyFormatException($"remaining bytes in key blob {data.Remaining}");
            return RsaPrivateKey.FromParameters(Parameters(e, d, n, iqmp, p, q));
        }
        catch (SshProtocolException e)
        {
            throw new SshKeyFormatException($"invalid SSH.COM private key: {e.Message}");
        }
    }

    // SSH.COM's "mpint": a 32-bit count of bits, then (bits + 7) / 8 bytes, unsigned big-endian.
    private static BigInteger Bits(ref SshReader reader)
    {
        var bits = reader.ReadUInt32();
        if (bits > 16384)
            throw new SshKeyFormatException($"number of {bits} bits is too large");
        return new BigInteger(reader.ReadBytes((int)((bits + 7) / 8)), isUnsigned: true, isBigEndian: true);
    }

    /// <summary>.NET wants every CRT parameter at its fixed size; the file has the ones it cannot derive.</summary>
    private static RSAParameters Parameters(BigInteger e, BigInteger d, BigInteger n, BigInteger iqmp, BigInteger p, BigInteger q)
    {
        if (p * q != n)
            throw new SshKeyFormatException("RSA factors do not match the modulus");
        var size = n.GetByteCount(isUnsigned: true);
        var half = (size + 1) / 2;
        byte[] Fixed(BigInteger value, int length)
        {
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            if (bytes.Length > length)
                throw new SshKeyFormatException("RSA parameter larger than the modulus allows");
            var padded = new byte[length];
            bytes.CopyTo(padded, length - bytes.Length);
            return padded;
        }
        return new RSAParameters
        {
            Modulus = Fixed(n, size),
            Exponent = e.ToByteArray(isUnsigned: true, isBigEndian: true),
            D = Fixed(d, size),
            P = Fixed(p, half),
            Q = Fixed(q, half),
            DP = Fixed(d % (p - 1), half),
            DQ = Fixed(d % (q - 1), half),
            InverseQ = Fixed(iqmp, half),
        };
    }
}
