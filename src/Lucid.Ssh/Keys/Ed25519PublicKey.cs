using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>An ssh-ed25519 public key (RFC 8709): the 32-byte point.</summary>
public sealed class Ed25519PublicKey : SshPublicKey
{
    private static readonly string[] s_signatureAlgorithms = [KeyAlgorithms.Ed25519];
    private readonly byte[] _key;
    private readonly byte[] _blob;

    public Ed25519PublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Sodium.Ed25519PublicKeySize)
            throw new SshKeyFormatException($"invalid ssh-ed25519 public key: {publicKey.Length} bytes instead of 32");
        _key = publicKey.ToArray();
        using var writer = new SshWriter(64);
        writer.WriteString(KeyAlgorithms.Ed25519).WriteString(_key);
        _blob = writer.ToArray();
    }

    public override string KeyType => KeyAlgorithms.Ed25519;
    public override int SizeInBits => 256;
    public override ReadOnlyMemory<byte> Blob => _blob;
    public override IReadOnlyList<string> SignatureAlgorithms => s_signatureAlgorithms;

    /// <summary>The raw 32-byte public key.</summary>
    public ReadOnlyMemory<byte> Key => _key;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob) =>
        SignatureBlob.TryRead(signatureBlob, out var algorithm, out var signature)
        && algorithm == KeyAlgorithms.Ed25519
        && Sodium.Ed25519Verify(signature, data, _key);

    internal static SshPublicKey ReadBlobFields(ref SshReader reader) => new Ed25519PublicKey(reader.ReadString());
}
