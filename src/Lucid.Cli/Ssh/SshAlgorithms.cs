using Lucid.Ssh.Crypto;

namespace Lucid.Cli.Ssh;

/// <summary>
/// What the CLI needs from the library's AlgorithmRegistry: the names for -Q and the validation of
/// -c/-m and the algorithm options (lists, or +, - and ^ edits of the defaults).
/// </summary>
internal static class SshAlgorithms
{
    /// <summary>The names for an ssh -Q query, or null when the query is not one ssh knows.</summary>
    public static IReadOnlyList<string>? Query(string query) => query.ToLowerInvariant() switch
    {
        "cipher" or "ciphers" => AlgorithmRegistry.Names(AlgorithmCategory.Cipher),
        "cipher-auth" => [.. AlgorithmRegistry.Cipher.Where(c => c.IsAead).Select(c => c.Name)],
        "mac" or "macs" => AlgorithmRegistry.Names(AlgorithmCategory.Mac),
        "kex" or "kexalgorithms" => AlgorithmRegistry.Names(AlgorithmCategory.Kex),
        "key" => [.. AlgorithmRegistry.HostKey.Concat(AlgorithmRegistry.HostCertificate).Select(h => h.KeyType).Distinct()],
        "key-plain" => [.. AlgorithmRegistry.HostKey.Select(h => h.KeyType).Distinct()],
        "key-cert" => [.. AlgorithmRegistry.HostCertificate.Select(h => h.KeyType).Distinct()],
        "hostkeyalgorithms" or "pubkeyacceptedalgorithms" or "hostbasedacceptedalgorithms" or "sig" or "casignaturealgorithms" =>
            AlgorithmRegistry.Names(AlgorithmCategory.HostKey),
        "compression" => AlgorithmRegistry.Names(AlgorithmCategory.Compression),
        _ => null,
    };

    /// <summary>Whether a list ("a,b", "+a", "-a*", "^a") is acceptable, as OpenSSH checks -c, -m and the -o lists.</summary>
    public static bool IsValidSpec(AlgorithmCategory category, string spec)
    {
        try
        {
            return AlgorithmRegistry.Edit(category, spec).Count > 0 || spec.StartsWith('-');
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
