namespace Lucid.Interop.Tests.Keygen;

/// <summary>The key types and sizes every interop test covers.</summary>
public static class KeygenKeys
{
    /// <summary>-t and -b for each type: ed25519, the three ECDSA curves, RSA (2048 keeps the suite fast).</summary>
    public static TheoryData<string, string> Types => new()
    {
        { "ed25519", "256" },
        { "ecdsa", "256" },
        { "ecdsa", "384" },
        { "ecdsa", "521" },
        { "rsa", "2048" },
    };

    /// <summary>Types that ssh-keygen can export as PEM/PKCS8 (not ed25519 in OpenSSH 9.2).</summary>
    public static TheoryData<string, string> PemTypes => new()
    {
        { "ecdsa", "256" },
        { "ecdsa", "384" },
        { "ecdsa", "521" },
        { "rsa", "2048" },
    };
}
