using System.Numerics;

namespace Lucid.Ssh.Crypto;

/// <summary>Probable-prime tests by OpenSSL's Miller-Rabin (BN_is_prime_ex), many times faster than BigInteger arithmetic.</summary>
internal static unsafe class Primality
{
    /// <summary>True when <paramref name="n"/> passes trial division and <paramref name="rounds"/> Miller-Rabin rounds.</summary>
    public static bool IsProbablePrime(BigInteger n, int rounds)
    {
        LibCrypto.EnsureAvailable();
        if (n.Sign <= 0)
            return false;
        var hex = System.Text.Encoding.ASCII.GetBytes(n.ToString("X", System.Globalization.CultureInfo.InvariantCulture) + "\0");
        nint bignum = 0;
        try
        {
            fixed (byte* h = hex)
            {
                if (LibCrypto.BN_hex2bn(&bignum, h) == 0)
                    throw LibCrypto.Failure("BN_hex2bn");
            }
            var result = LibCrypto.BN_is_prime_ex(bignum, rounds, 0, 0);
            if (result < 0)
                throw LibCrypto.Failure("BN_is_prime_ex");
            return result == 1;
        }
        finally
        {
            if (bignum != 0)
                LibCrypto.BN_free(bignum);
        }
    }
}
