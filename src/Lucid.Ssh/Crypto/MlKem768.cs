using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// ML-KEM-768 (FIPS 203): the sizes, the encapsulation-key check every backend must pass first, and the choice of
/// backend — .NET's <see cref="MLKem"/> where the platform has it (OpenSSL 3.5 or later), BouncyCastle elsewhere
/// (Debian 12's OpenSSL 3.0 has no ML-KEM). README's dependency section says why.
/// </summary>
internal static class MlKem768
{
    public const int EncapsulationKeySize = 1184;
    public const int DecapsulationKeySize = 2400;
    public const int CiphertextSize = 1088;
    public const int SharedSecretSize = 32;

    private const int Q = 3329;
    private const int EncodedVectorSize = 3 * 384; // ByteEncode12 of the k = 3 polynomials of t-hat; rho follows

    /// <summary>True when .NET's own ML-KEM (OpenSSL ≥ 3.5) serves; false means BouncyCastle does.</summary>
    public static bool UsesPlatform { get; } = MLKem.IsSupported;

    public static PostQuantumKem Create() => UsesPlatform ? new PlatformMlKem768() : new BouncyCastleMlKem768();

    /// <summary>
    /// FIPS 203 section 7.2's input check on an encapsulation key: every 12-bit coefficient of t-hat must already be
    /// reduced mod q (ByteEncode12(ByteDecode12(ek)) == ek). OpenSSH's libcrux refuses such keys; so do we, whatever
    /// the backend, before encapsulating to one.
    /// </summary>
    public static bool IsValidEncapsulationKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != EncapsulationKeySize)
            return false;
        int bad = 0;
        for (int i = 0; i < EncodedVectorSize; i += 3)
        {
            int low = key[i] | (key[i + 1] & 0x0f) << 8;
            int high = key[i + 1] >> 4 | key[i + 2] << 4;
            // Accumulated rather than returned early: the key is public, but a constant-time loop costs nothing here.
            bad |= (Q - 1 - low) | (Q - 1 - high);
        }
        return bad >= 0;
    }
}

/// <summary>ML-KEM-768 over BouncyCastle.Cryptography (managed; what runs on Debian 12).</summary>
internal sealed class BouncyCastleMlKem768 : PostQuantumKem
{
    private static readonly Org.BouncyCastle.Crypto.Parameters.MLKemParameters s_parameters =
        Org.BouncyCastle.Crypto.Parameters.MLKemParameters.ml_kem_768;

    private Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters? _private;

    public override int PublicKeySize => MlKem768.EncapsulationKeySize;
    public override int CiphertextSize => MlKem768.CiphertextSize;

    public override byte[] GenerateKeyPair()
    {
        Span<byte> seed = stackalloc byte[64];
        RandomNumberGenerator.Fill(seed);
        try
        {
            return GenerateKeyPair(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>ML-KEM.KeyGen_internal from the 64-byte seed d || z (FIPS 203 algorithm 16); returns ek.</summary>
    public byte[] GenerateKeyPair(ReadOnlySpan<byte> seed)
    {
        _private = Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.FromSeed(s_parameters, seed.ToArray(),
            Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.Format.SeedAndEncoding);
        return _private.GetPublicKeyEncoded();
    }

    /// <summary>The expanded decapsulation key dk (FIPS 203's 2400-byte encoding).</summary>
    public byte[] ExportDecapsulationKey() =>
        _private!.WithPreferredFormat(Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.Format.EncodingOnly).GetEncoded();

    public void ImportDecapsulationKey(byte[] decapsulationKey) =>
        _private = Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.FromEncoding(s_parameters, decapsulationKey);

    public override byte[] Encapsulate(ReadOnlySpan<byte> publicKey, out byte[] sharedSecret) =>
        Encapsulate(publicKey, BouncyCastleRandom.Shared, out sharedSecret);

    /// <summary>ML-KEM.Encaps_internal with the message m the random source gives (known-answer tests pass a fixed one).</summary>
    public byte[] Encapsulate(ReadOnlySpan<byte> publicKey, Org.BouncyCastle.Security.SecureRandom random, out byte[] sharedSecret)
    {
        if (!MlKem768.IsValidEncapsulationKey(publicKey))
            throw new SshProtocolException("invalid ML-KEM-768 public key in key exchange (coefficient not reduced mod q)", DisconnectReason.KeyExchangeFailed);
        var key = Org.BouncyCastle.Crypto.Parameters.MLKemPublicKeyParameters.FromEncoding(s_parameters, publicKey.ToArray());
        var encapsulator = new Org.BouncyCastle.Crypto.Kems.MLKemEncapsulator(s_parameters);
        encapsulator.Init(new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(key, random));
        var ciphertext = new byte[MlKem768.CiphertextSize];
        sharedSecret = new byte[MlKem768.SharedSecretSize];
        encapsulator.Encapsulate(ciphertext, sharedSecret);
        return ciphertext;
    }

    public override byte[] Decapsulate(ReadOnlySpan<byte> ciphertext)
    {
        var decapsulator = new Org.BouncyCastle.Crypto.Kems.MLKemDecapsulator(s_parameters);
        decapsulator.Init(_private ?? throw new InvalidOperationException("no ML-KEM key pair made"));
        var secret = new byte[MlKem768.SharedSecretSize];
        decapsulator.Decapsulate(ciphertext, secret);
        return secret;
    }

    // BouncyCastle's key objects keep their arrays private; dropping the reference is all we can do.
    public override void Dispose() => _private = null;
}

/// <summary>ML-KEM-768 over .NET's <see cref="MLKem"/> (OpenSSL ≥ 3.5); used only where <see cref="MLKem.IsSupported"/>.</summary>
internal sealed class PlatformMlKem768 : PostQuantumKem
{
    private MLKem? _key;

    public override int PublicKeySize => MlKem768.EncapsulationKeySize;
    public override int CiphertextSize => MlKem768.CiphertextSize;

    public override byte[] GenerateKeyPair()
    {
        _key = MLKem.GenerateKey(MLKemAlgorithm.MLKem768);
        return _key.ExportEncapsulationKey();
    }

    /// <summary>ML-KEM.KeyGen_internal from the 64-byte seed d || z; returns ek.</summary>
    public byte[] GenerateKeyPair(ReadOnlySpan<byte> seed)
    {
        _key = MLKem.ImportPrivateSeed(MLKemAlgorithm.MLKem768, seed);
        return _key.ExportEncapsulationKey();
    }

    public byte[] ExportDecapsulationKey() => _key!.ExportDecapsulationKey();

    public void ImportDecapsulationKey(byte[] decapsulationKey) =>
        _key = MLKem.ImportDecapsulationKey(MLKemAlgorithm.MLKem768, decapsulationKey);

    public override byte[] Encapsulate(ReadOnlySpan<byte> publicKey, out byte[] sharedSecret)
    {
        if (!MlKem768.IsValidEncapsulationKey(publicKey))
            throw new SshProtocolException("invalid ML-KEM-768 public key in key exchange (coefficient not reduced mod q)", DisconnectReason.KeyExchangeFailed);
        using var key = MLKem.ImportEncapsulationKey(MLKemAlgorithm.MLKem768, publicKey);
        key.Encapsulate(out var ciphertext, out sharedSecret);
        return ciphertext;
    }

    public override byte[] Decapsulate(ReadOnlySpan<byte> ciphertext)
    {
        var secret = new byte[MlKem768.SharedSecretSize];
        (_key ?? throw new InvalidOperationException("no ML-KEM key pair made")).Decapsulate(ciphertext, secret);
        return secret;
    }

    public override void Dispose() => _key?.Dispose();
}
