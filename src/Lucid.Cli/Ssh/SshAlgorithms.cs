namespace Lucid.Cli.Ssh;

/// <summary>
/// What the CLI needs from the algorithm tables: the names per category (for -Q and for validating -c/-m).
/// A thin seam over the library's registry so the tool does not care how the tables are laid out.
/// </summary>
internal static class SshAlgorithms
{
    public enum Category { Cipher, Mac, Kex, Key, Sig, Compression }

    // Until the library's AlgorithmRegistry is wired in, the names the issue requires.
    private static readonly string[] Ciphers =
    [
        "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
    ];
    private static readonly string[] Macs =
    [
        "hmac-sha1", "hmac-sha2-256", "hmac-sha2-512", "umac-64@openssh.com", "umac-128@openssh.com",
        "hmac-sha1-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
    ];
    private static readonly string[] Kex =
    [
        "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha256",
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "curve25519-sha256",
        "curve25519-sha256@libssh.org",
    ];
    private static readonly string[] Keys =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ];
    private static readonly string[] Sigs =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
        "rsa-sha2-256", "ssh-rsa",
    ];
    private static readonly string[] Compression = ["none", "zlib@openssh.com", "zlib"];

    public static IReadOnlyList<string> Names(Category category) => category switch
    {
        Category.Cipher => Ciphers,
        Category.Mac => Macs,
        Category.Kex => Kex,
        Category.Key => Keys,
        Category.Sig => Sigs,
        _ => Compression,
    };

    /// <summary>The names for an ssh -Q query, or null when the query is not one ssh knows.</summary>
    public static IReadOnlyList<string>? Query(string query) => query.ToLowerInvariant() switch
    {
        "cipher" or "ciphers" => Ciphers,
        "cipher-auth" => ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"],
        "mac" or "macs" => Macs,
        "kex" or "kexalgorithms" => Kex,
        "key" or "key-plain" or "hostkeyalgorithms" or "pubkeyacceptedalgorithms" or "hostbasedacceptedalgorithms" => Keys,
        "sig" or "casignaturealgorithms" => Sigs,
        "compression" => Compression,
        _ => null,
    };

    /// <summary>Whether a -c/-m/-o list ("a,b", "+a", "-a*", "^a") names only known algorithms, as OpenSSH checks.</summary>
    public static bool IsValidSpec(Category category, string spec)
    {
        if (spec.StartsWith('-'))
            return true; // removals may use wildcards and name nothing we have
        if (spec.StartsWith('+') || spec.StartsWith('^'))
            spec = spec[1..];
        var known = Names(category);
        foreach (var name in spec.Split(','))
            if (name.Length == 0 || !known.Contains(name))
                return false;
        return true;
    }
}
