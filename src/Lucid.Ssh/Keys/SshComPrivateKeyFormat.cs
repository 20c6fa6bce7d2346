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

    /// <summary>
    /// The RSA key of a decoded blob as PKCS#1 RSAPrivateKey DER (what `ssh-keygen -i` prints as PEM), after
    /// checking that it works: its factors make its modulus and a value raised to e then d comes back, as
    /// ssh-keygen signs and verifies with a converted key. PKCS#1 rather than a .NET RSA object because
    /// SSH.COM's generator made factors of unequal length, which .NET's RSA parameters cannot hold.
    /// <see cref="SshKeyFormatException"/> says why a blob cannot be read.
    /// </summary>
    public static byte[] ReadRsaPkcs1(ReadOnlySpan<byte> blob)
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
            Check(e, d, n, p, q);
            return Pkcs1(n, e, d, p, q, iqmp);
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

    private static void Check(BigInteger e, BigInteger d, BigInteger n, BigInteger p, BigInteger q)
    {
        if (p < 2 || q < 2 || p * q != n)
            throw new SshKeyFormatException("RSA factors do not match the modulus");
        var probe = new BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true) + 2;
        if (BigInteger.ModPow(BigInteger.ModPow(probe, e, n), d, n) != probe)
            throw new SshKeyFormatException("verification with converted key failed");
    }

    private static byte[] Pkcs1(BigInteger n, BigInteger e, BigInteger d, BigInteger p, BigInteger q, BigInteger iqmp)
    {
        var der = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (der.PushSequence())
        {
            der.WriteInteger(0);
            foreach (var value in new[] { n, e, d, p, q, d % (p - 1), d % (q - 1), iqmp })
                der.WriteInteger(value);
        }
        return der.Encode();
    }
}
