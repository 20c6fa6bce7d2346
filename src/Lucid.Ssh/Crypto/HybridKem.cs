using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// The hybrid post-quantum exchanges — mlkem768x25519-sha256, mlkem768nistp256-sha256 (draft-ietf-sshm-mlkem-hybrid-kex)
/// and sntrup761x25519-sha512 (OpenSSH's PROTOCOL): a post-quantum KEM and a classical ECDH run side by side.
/// The client sends its KEM public key then its ECDH public key in one string; the server answers with the KEM
/// ciphertext then its ECDH public key; both compute K = HASH(kem_secret || ecdh_secret), and K enters the exchange
/// hash and the key derivation as a string, not an mpint (<see cref="SharedSecretIsString"/>). Each half keeps its
/// own checks: the KEM's input check, and the classical one's (an all-zero X25519 result, a point off the curve).
/// </summary>
internal sealed class HybridKem(PostQuantumKem kem, KeyExchangeMethod classical, int classicalPublicSize, HashAlgorithmName hash)
    : KeyExchangeMethod
{
    public override bool SharedSecretIsString => true;

    public override byte[] CreateClientPublic() => [.. kem.GenerateKeyPair(), .. classical.CreateClientPublic()];

    public override byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret)
    {
        if (clientPublic.Length != kem.PublicKeySize + classicalPublicSize)
            throw Invalid("client public key length");
        var ciphertext = kem.Encapsulate(clientPublic[..kem.PublicKeySize], out var kemSecret);
        byte[] ecdhSecret;
        byte[] serverClassical;
        try
        {
            serverClassical = classical.ServerRespond(clientPublic[kem.PublicKeySize..], out ecdhSecret);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(kemSecret);
            throw;
        }
        sharedSecret = Combine(kemSecret, ecdhSecret);
        return [.. ciphertext, .. serverClassical];
    }

    public override byte[] ClientComplete(ReadOnlySpan<byte> serverPublic)
    {
        if (serverPublic.Length != kem.CiphertextSize + classicalPublicSize)
            throw Invalid("server reply length");
        var kemSecret = kem.Decapsulate(serverPublic[..kem.CiphertextSize]);
        byte[] ecdhSecret;
        try
        {
            ecdhSecret = classical.ClientComplete(serverPublic[kem.CiphertextSize..]);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(kemSecret);
            throw;
        }
        return Combine(kemSecret, ecdhSecret);
    }

    public override void Dispose()
    {
        kem.Dispose();
        classical.Dispose();
    }

    // HASH(kem_secret || ecdh_secret): the raw ECDH secret (X25519's 32 bytes, P-256's x coordinate), not an mpint.
    private byte[] Combine(byte[] kemSecret, byte[] ecdhSecret)
    {
        Span<byte> both = stackalloc byte[kemSecret.Length + ecdhSecret.Length];
        kemSecret.CopyTo(both);
        ecdhSecret.CopyTo(both[kemSecret.Length..]);
        try
        {
            return KeyDerivation.Hash(hash, both);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(both);
            CryptographicOperations.ZeroMemory(kemSecret);
            CryptographicOperations.ZeroMemory(ecdhSecret);
        }
    }
}
