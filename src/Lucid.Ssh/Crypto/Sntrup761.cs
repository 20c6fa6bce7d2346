using Org.BouncyCastle.Pqc.Crypto.NtruPrime;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// Streamlined NTRU Prime sntrup761 (the round-3 submission OpenSSH ships) over BouncyCastle.Cryptography, the
/// post-quantum half of sntrup761x25519-sha512. No platform library offers it.
/// </summary>
internal sealed class Sntrup761 : PostQuantumKem
{
    public const int PublicKeyBytes = 1158;
    public const int CiphertextBytes = 1039;
    public const int SharedSecretBytes = 32;

    private SNtruPrimePrivateKeyParameters? _private;

    public override int PublicKeySize => PublicKeyBytes;
    public override int CiphertextSize => CiphertextBytes;

    public override byte[] GenerateKeyPair()
    {
        var generator = new SNtruPrimeKeyPairGenerator();
        generator.Init(new SNtruPrimeKeyGenerationParameters(BouncyCastleRandom.Shared, SNtruPrimeParameters.sntrup761));
        var pair = generator.GenerateKeyPair();
        _private = (SNtruPrimePrivateKeyParameters)pair.Private;
        return ((SNtruPrimePublicKeyParameters)pair.Public).GetPublicKey();
    }

    public override byte[] Encapsulate(ReadOnlySpan<byte> publicKey, out byte[] sharedSecret)
    {
        // Every 1158-byte string decodes to some polynomial of Rq (Rq_decode reduces), so there is nothing to refuse.
        using var result = new SNtruPrimeKemGenerator(BouncyCastleRandom.Shared)
            .GenerateEncapsulated(new SNtruPrimePublicKeyParameters(SNtruPrimeParameters.sntrup761, publicKey.ToArray()));
        sharedSecret = result.GetSecret();
        return result.GetEncapsulation();
    }

    public override byte[] Decapsulate(ReadOnlySpan<byte> ciphertext) =>
        // A ciphertext that does not decrypt yields the implicit-rejection secret, as in OpenSSH: the exchange then
        // fails at the signature check, not here.
        new SNtruPrimeKemExtractor(_private ?? throw new InvalidOperationException("no sntrup761 key pair made")).ExtractSecret(ciphertext.ToArray());

    public override void Dispose() => _private = null;
}
