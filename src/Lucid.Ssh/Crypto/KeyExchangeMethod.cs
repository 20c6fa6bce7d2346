using System.Numerics;
using System.Security.Cryptography;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// One key exchange seen as a KEM: the client makes a public value; the server answers with its own and
/// the shared secret; the client derives the same secret. Public values are raw bytes (a string's
/// content or an mpint's magnitude, per <see cref="PublicValuesAreMpints"/>); the shared secret is the raw K,
/// which <see cref="EncodeSharedSecret"/> turns into what the exchange hash and key derivation take.
/// </summary>
internal abstract class KeyExchangeMethod : IDisposable
{
    /// <summary>True for finite-field DH (e and f are mpints); false for ECDH/X25519 (Q_C and Q_S are strings).</summary>
    public virtual bool PublicValuesAreMpints => false;

    /// <summary>
    /// False: K is a number (the magnitude of an mpint), as for DH, ECDH and X25519. True: K is a byte string (the
    /// hybrid post-quantum methods hash their two secrets into it).
    /// </summary>
    public virtual bool SharedSecretIsString => false;

    /// <summary>K as it enters the exchange hash and the key derivation: an mpint or a string (<see cref="SharedSecretIsString"/>).</summary>
    public byte[] EncodeSharedSecret(ReadOnlySpan<byte> secret)
    {
        using var writer = new SshWriter(secret.Length + 8);
        if (SharedSecretIsString)
            writer.WriteString(secret);
        else
            writer.WriteMPIntMagnitude(secret);
        return writer.ToArray();
    }

    /// <summary>Client: creates the ephemeral key pair and returns the public value to send.</summary>
    public abstract byte[] CreateClientPublic();

    /// <summary>Server: answers the client's public value with its own; <paramref name="sharedSecret"/> receives K.</summary>
    public abstract byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret);

    /// <summary>Client: K from the server's public value.</summary>
    public abstract byte[] ClientComplete(ReadOnlySpan<byte> serverPublic);

    public virtual void Dispose()
    {
    }

    protected static SshProtocolException Invalid(string what) =>
        new($"invalid {what} in key exchange", DisconnectReason.KeyExchangeFailed);
}

/// <summary>curve25519-sha256 (RFC 8731) over libsodium's X25519.</summary>
internal sealed class Curve25519Kem : KeyExchangeMethod
{
    private readonly byte[] _secret = new byte[32];

    public override byte[] CreateClientPublic() => NewKeyPair();

    public override byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret)
    {
        var ours = NewKeyPair();
        sharedSecret = Agree(clientPublic);
        return ours;
    }

    public override byte[] ClientComplete(ReadOnlySpan<byte> serverPublic) => Agree(serverPublic);

    public override void Dispose() => CryptographicOperations.ZeroMemory(_secret);

    private byte[] NewKeyPair()
    {
        RandomNumberGenerator.Fill(_secret);
        var publicKey = new byte[32];
        Sodium.X25519Base(publicKey, _secret);
        return publicKey;
    }

    private byte[] Agree(ReadOnlySpan<byte> peer)
    {
        if (peer.Length != 32)
            throw Invalid("curve25519 public key length");
        var shared = new byte[32];
        // RFC 8731: an all-zero result (a low-order peer point) must abort the exchange.
        if (!Sodium.X25519(shared, _secret, peer))
            throw Invalid("curve25519 public key");
        return shared;
    }
}

/// <summary>ecdh-sha2-nistp256/384/521 (RFC 5656) over .NET's ECDiffieHellman.</summary>
internal sealed class EcdhKem(ECCurve curve) : KeyExchangeMethod
{
    private ECDiffieHellman? _key;

    public override byte[] CreateClientPublic() => NewKeyPair();

    public override byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret)
    {
        var ours = NewKeyPair();
        sharedSecret = Agree(clientPublic);
        return ours;
    }

    public override byte[] ClientComplete(ReadOnlySpan<byte> serverPublic) => Agree(serverPublic);

    public override void Dispose() => _key?.Dispose();

    private byte[] NewKeyPair()
    {
        _key = ECDiffieHellman.Create(curve);
        var q = _key.ExportParameters(false).Q;
        int size = CoordinateSize();
        var point = new byte[1 + 2 * size];
        point[0] = 4; // uncompressed (SEC1 2.3.3)
        q.X!.CopyTo(point.AsSpan(1 + size - q.X!.Length));
        q.Y!.CopyTo(point.AsSpan(1 + 2 * size - q.Y!.Length));
        return point;
    }

    private int CoordinateSize() => (_key!.KeySize + 7) / 8;

    private byte[] Agree(ReadOnlySpan<byte> peer)
    {
        int size = CoordinateSize();
        if (peer.Length != 1 + 2 * size || peer[0] != 4)
            throw Invalid("ECDH public key encoding");
        try
        {
            using var other = ECDiffieHellman.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = peer.Slice(1, size).ToArray(), Y = peer.Slice(1 + size, size).ToArray() },
            });
            return _key!.DeriveRawSecretAgreement(other.PublicKey);
        }
        catch (CryptographicException)
        {
            throw Invalid("ECDH public key (not on the curve)");
        }
    }
}

/// <summary>Finite-field Diffie-Hellman over a fixed group (RFC 4253 section 8, RFC 8268).</summary>
internal class DhKem : KeyExchangeMethod
{
    private BigInteger _x;

    public DhKem(DhGroup group) => Group = group;

    protected DhKem()
    {
    }

    public DhGroup? Group { get; protected set; }

    public override bool PublicValuesAreMpints => true;

    public override byte[] CreateClientPublic() => NewKeyPair();

    public override byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret)
    {
        var ours = NewKeyPair();
        sharedSecret = Agree(clientPublic);
        return ours;
    }

    public override byte[] ClientComplete(ReadOnlySpan<byte> serverPublic) => Agree(serverPublic);

    public override void Dispose() => _x = BigInteger.Zero;

    private byte[] NewKeyPair()
    {
        var group = Group ?? throw new InvalidOperationException("no DH group chosen");
        // A private exponent of twice the security level (at least 512 bits here) as OpenSSH does; the
        // top bit is forced so it is never tiny.
        int bytes = Math.Min(64, group.Bits / 8 - 1);
        Span<byte> random = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(random);
        random[0] |= 0x80;
        _x = new BigInteger(random, isUnsigned: true, isBigEndian: true);
        CryptographicOperations.ZeroMemory(random);
        return BigInteger.ModPow(group.Generator, _x, group.Prime).ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    private byte[] Agree(ReadOnlySpan<byte> peer)
    {
        var group = Group!;
        var y = new BigInteger(peer, isUnsigned: true, isBigEndian: true);
        CheckPeerPublic(y, group.Prime);
        return BigInteger.ModPow(y, _x, group.Prime).ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    /// <summary>
    /// OpenSSH's rule for the peer's public value (dh.c): 1 &lt; y &lt; p-1 (RFC 4253 section 8; 0, 1 and p-1 give a
    /// trivial secret) and at least 4 bits set, since with g = 2 a power of two (2, 4, ...) has an obvious
    /// logarithm. Its wording; the key exchange fails.
    /// </summary>
    public static void CheckPeerPublic(BigInteger y, BigInteger prime)
    {
        if (y.Sign < 0)
            throw new SshProtocolException("invalid public DH value: negative", DisconnectReason.KeyExchangeFailed);
        if (y <= BigInteger.One)
            throw new SshProtocolException("invalid public DH value: <= 1", DisconnectReason.KeyExchangeFailed);
        if (y >= prime - BigInteger.One)
            throw new SshProtocolException("invalid public DH value: >= p-1", DisconnectReason.KeyExchangeFailed);
        var bitsSet = 0;
        foreach (var b in y.ToByteArray(isUnsigned: true))
            bitsSet += System.Numerics.BitOperations.PopCount(b);
        if (bitsSet < 4)
            throw new SshProtocolException($"invalid public DH value ({bitsSet}/{prime.GetBitLength()})", DisconnectReason.KeyExchangeFailed);
    }
}

/// <summary>
/// diffie-hellman-group-exchange-sha256 (RFC 4419): the client asks for a group size, the server picks a
/// group; then the exchange proceeds as <see cref="DhKem"/>. The transport runs the extra round trip.
/// </summary>
internal sealed class GroupExchangeKem : DhKem
{
    public const int MinBits = 2048;
    public const int MaxBits = 8192;

    /// <summary>The group size to request for a given amount of key material, as OpenSSH's dh_estimate.</summary>
    public static int PreferredBits(int securityBits) => securityBits switch
    {
        <= 112 => 2048,
        <= 128 => 3072,
        <= 192 => 7680,
        _ => 8192,
    };

    /// <summary>Server: the built-in group that best fits the request (the smallest at least n bits, within min..max).</summary>
    public static DhGroup? Choose(int min, int preferred, int max)
    {
        DhGroup? best = null;
        foreach (var group in DhGroups.GroupExchange)
        {
            if (group.Bits < min || group.Bits > max)
                continue;
            if (best is null || (best.Bits < preferred && group.Bits > best.Bits))
                best = group;
        }
        return best;
    }

    /// <summary>Client: accepts the group the server sent after checking it is plausible.</summary>
    public void UseGroup(BigInteger prime, BigInteger generator, int min, int max)
    {
        long bits = (long)prime.GetBitLength();
        if (bits < min || bits > max)
            throw new SshProtocolException($"DH_GEX group out of range: {bits} !< {min} || {bits} !> {max}", DisconnectReason.KeyExchangeFailed);
        if (prime.IsEven || generator <= BigInteger.One || generator >= prime - BigInteger.One)
            throw Invalid("DH group");
        Group = new DhGroup(prime, generator);
    }

    public void UseGroup(DhGroup group) => Group = group;
}
