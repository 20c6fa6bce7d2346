using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// A FIDO security key's public key (OpenSSH's PROTOCOL.u2f): sk-ssh-ed25519@openssh.com or
/// sk-ecdsa-sha2-nistp256@openssh.com. Verify-only: the private half lives in the authenticator.
/// </summary>
public sealed class SecurityKeyPublicKey : SshPublicKey
{
    public const string Ed25519Type = "sk-ssh-ed25519@openssh.com";
    public const string EcdsaType = "sk-ecdsa-sha2-nistp256@openssh.com";

    /// <summary>The flag an authenticator sets when the user touched it (user presence).</summary>
    public const byte UserPresentFlag = 0x01;

    /// <summary>The flag an authenticator sets when it verified the user (PIN or biometrics).</summary>
    public const byte UserVerifiedFlag = 0x04;

    private readonly byte[] _blob;
    private readonly string[] _signatureAlgorithms;

    private SecurityKeyPublicKey(string keyType, SshPublicKey inner, string application, byte[] blob)
    {
        KeyType = keyType;
        Key = inner;
        Application = application;
        _blob = blob;
        _signatureAlgorithms = [keyType];
    }

    public override string KeyType { get; }
    public override int SizeInBits => Key.SizeInBits;
    public override ReadOnlyMemory<byte> Blob => _blob;
    public override IReadOnlyList<string> SignatureAlgorithms => _signatureAlgorithms;

    /// <summary>The underlying Ed25519 or ECDSA key.</summary>
    public SshPublicKey Key { get; }

    /// <summary>The FIDO application (relying party) string, normally "ssh:".</summary>
    public string Application { get; }

    /// <summary>True when <paramref name="keyType"/> is one of the two security key types.</summary>
    public static bool IsSecurityKeyType(string keyType) => keyType is Ed25519Type or EcdsaType;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob) =>
        TryVerify(data, signatureBlob, out _, out _);

    /// <summary>
    /// Verifies and reports the authenticator's flags and counter, which the caller's policy checks
    /// (sshd requires <see cref="UserPresentFlag"/> unless no-touch-required).
    /// </summary>
    public bool TryVerify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob, out byte flags, out uint counter)
    {
        flags = 0;
        counter = 0;
        ReadOnlySpan<byte> signature;
        try
        {
            var reader = new SshReader(signatureBlob);
            if (reader.ReadUtf8String() != KeyType)
                return false;
            signature = reader.ReadString();
            flags = reader.ReadByte();
            counter = reader.ReadUInt32();
            if (!reader.IsAtEnd)
                return false;
        }
        catch (SshProtocolException)
        {
            return false;
        }

        // What the authenticator signed: SHA-256(application) || flags || counter || SHA-256(data).
        Span<byte> signed = stackalloc byte[32 + 1 + 4 + 32];
        SHA256.HashData(Encoding.UTF8.GetBytes(Application), signed[..32]);
        signed[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(signed[33..], counter);
        SHA256.HashData(data, signed[37..]);
        return Key switch
        {
            Ed25519PublicKey ed => Sodium.Ed25519Verify(signature, signed, ed.Key.Span),
            _ => Key.Verify(signed, SignatureBlob.Create(KeyAlgorithms.EcdsaNistP256, signature)),
        };
    }

    internal static SecurityKeyPublicKey Read(ref SshReader reader, string keyType)
    {
        SshPublicKey inner = keyType == Ed25519Type
            ? Ed25519PublicKey.ReadBlobFields(ref reader)
            : EcdsaPublicKey.ReadBlobFields(ref reader, EcdsaCurve.NistP256);
        string application = Encoding.UTF8.GetString(reader.ReadString());
        return Create(keyType, inner, application);
    }

    /// <summary>A security key public key from its parts (for tests and for tools that assemble one).</summary>
    public static SecurityKeyPublicKey Create(SshPublicKey key, string application) => key switch
    {
        Ed25519PublicKey => Create(Ed25519Type, key, application),
        EcdsaPublicKey { Curve.Identifier: "nistp256" } => Create(EcdsaType, key, application),
        _ => throw new ArgumentException("security keys are Ed25519 or ECDSA P-256", nameof(key)),
    };

    private static SecurityKeyPublicKey Create(string keyType, SshPublicKey inner, string application)
    {
        using var writer = new SshWriter(128);
        writer.WriteString(keyType);
        var plain = new SshReader(inner.Blob.Span);
        plain.ReadString();
        writer.WriteRaw(plain.RemainingSpan).WriteString(application);
        return new SecurityKeyPublicKey(keyType, inner, application, writer.ToArray());
    }
}
