using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// BouncyCastle's random source fed from .NET's (the operating system's) CSPRNG, safe to share between threads;
/// BouncyCastle's own default would add a digest-based generator of its own on top.
/// </summary>
internal sealed class BouncyCastleRandom : IRandomGenerator
{
    public static SecureRandom Shared { get; } = new(new BouncyCastleRandom());

    public void AddSeedMaterial(byte[] seed)
    {
    }

    public void AddSeedMaterial(ReadOnlySpan<byte> seed)
    {
    }

    public void AddSeedMaterial(long seed)
    {
    }

    public void NextBytes(byte[] bytes) => RandomNumberGenerator.Fill(bytes);

    public void NextBytes(byte[] bytes, int start, int len) => RandomNumberGenerator.Fill(bytes.AsSpan(start, len));

    public void NextBytes(Span<byte> bytes) => RandomNumberGenerator.Fill(bytes);
}

/// <summary>Known-answer tests only: hands out fixed bytes (an ACVP vector's m) where BouncyCastle asks for randomness.</summary>
internal sealed class FixedBytesRandom(byte[] bytes) : IRandomGenerator
{
    private int _offset;

    public void AddSeedMaterial(byte[] seed)
    {
    }

    public void AddSeedMaterial(ReadOnlySpan<byte> seed)
    {
    }

    public void AddSeedMaterial(long seed)
    {
    }

    public void NextBytes(byte[] bytes) => NextBytes(bytes.AsSpan());

    public void NextBytes(byte[] bytes, int start, int len) => NextBytes(bytes.AsSpan(start, len));

    public void NextBytes(Span<byte> output)
    {
        if (_offset + output.Length > bytes.Length)
            throw new InvalidOperationException("the fixed random bytes ran out");
        bytes.AsSpan(_offset, output.Length).CopyTo(output);
        _offset += output.Length;
    }
}
