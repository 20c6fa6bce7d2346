using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The algorithm lists sshd_config edits with `+`, `-` and `^` (kex.c kex_assemble_names): the names
/// OpenSSH 9.2 accepts in a configuration (so its files load), the ones Lucid's transport implements
/// (AlgorithmRegistry), and the server defaults. Unlike AlgorithmRegistry.Edit, names OpenSSH knows but
/// Lucid lacks are dropped silently, as sshd drops what its build lacks.
/// </summary>
internal static class SshdConfigAlgorithms
{
    /// <summary>HostKey is Key with the server's own defaults (HostKeyAlgorithms); Key is PubkeyAcceptedAlgorithms'.</summary>
    public enum Category { Kex, Cipher, Mac, Key, Signature, HostKey }

    // Every name OpenSSH 9.2 knows (ssh -Q), so a configuration written for OpenSSH is never rejected.
    private static readonly string[] KnownKex =
    [
        "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "curve25519-sha256", "curve25519-sha256@libssh.org", "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com", "mlkem768x25519-sha256", "mlkem768nistp256-sha256", // the last: OpenSSH 10.5
    ];
    private static readonly string[] KnownCiphers =
    [
        "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr", "aes256-ctr",
        "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
    ];
    private static readonly string[] KnownMacs =
    [
        "hmac-sha1", "hmac-sha1-96", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5", "hmac-md5-96",
        "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com",
        "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-md5-etm@openssh.com",
        "hmac-md5-96-etm@openssh.com", "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
    ];
    private static readonly string[] KnownKeys =
    [
        "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-dss",
        "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-256",
        "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com",
    ];

    public static IReadOnlyList<string> Known(Category c) => c switch
    {
        Category.Kex => KnownKex,
        Category.Cipher => KnownCiphers,
        Category.Mac => KnownMacs,
        _ => KnownKeys,
    };

    /// <summary>What the transport implements (the AlgorithmRegistry tables), preferred first.</summary>
    public static IReadOnlyList<string> Supported(Category c) => c switch
    {
        Category.Kex => AlgorithmRegistry.Names(AlgorithmCategory.Kex),
        Category.Cipher => AlgorithmRegistry.Names(AlgorithmCategory.Cipher),
        Category.Mac => AlgorithmRegistry.Names(AlgorithmCategory.Mac),
        // User certificates are accepted (PubkeyAcceptedAlgorithms lists them first, as OpenSSH's); host
        // certificates are not served yet, so HostKeyAlgorithms has the plain table only.
        Category.Key => [.. AlgorithmRegistry.HostCertificate.Select(a => a.Name), .. AlgorithmRegistry.HostKey.Select(a => a.Name)],
        Category.HostKey => [.. AlgorithmRegistry.HostKey.Select(a => a.Name)],
        _ => [.. AlgorithmRegistry.HostKey.Select(a => a.Name).Where(n => n != "ssh-rsa")],
    };

    /// <summary>
    /// OpenSSH defaults Lucid's sshd leaves out (a line such as `KexAlgorithms +ecdh-sha2-nistp256` brings them
    /// back): ECDH and ECDSA on the NIST curves, whose parameters cannot be shown to be free of a chosen weakness
    /// (ssh-audit fails them); curve25519, ML-KEM/sntrup hybrids, Ed25519 and RSA-SHA2 remain.
    /// </summary>
    public static bool DroppedFromServerDefaults(string name) =>
        name.StartsWith("ecdh-sha2-nistp", StringComparison.Ordinal) || name.StartsWith("ecdsa-sha2-nistp", StringComparison.Ordinal);

    /// <summary>The server's defaults: the registry's, so sshd offers exactly what the transport negotiates.</summary>
    public static IReadOnlyList<string> Defaults(Category c) => c switch
    {
        Category.Kex => [.. AlgorithmRegistry.ServerDefaults(AlgorithmCategory.Kex).Where(n => !DroppedFromServerDefaults(n))],
        Category.Cipher => AlgorithmRegistry.Defaults(AlgorithmCategory.Cipher),
        Category.Mac => AlgorithmRegistry.Defaults(AlgorithmCategory.Mac),
        Category.HostKey => [.. AlgorithmRegistry.HostKey.Where(a => a.EnabledByDefault).Select(a => a.Name).Where(n => !DroppedFromServerDefaults(n))],
        Category.Key => [.. AlgorithmRegistry.HostCertificate.Where(a => a.EnabledByDefault).Select(a => a.Name),
            .. AlgorithmRegistry.HostKey.Where(a => a.EnabledByDefault).Select(a => a.Name)],
        _ => [.. AlgorithmRegistry.HostKey.Where(a => a.EnabledByDefault).Select(a => a.Name)],
    };

    /// <summary>
    /// Whether a configured spec names only known algorithms (the check sshd does while parsing). Key
    /// lists may use wildcards; the others may not. A `-` list is not checked, as in OpenSSH.
    /// </summary>
    public static bool IsValid(Category c, string spec, Action<string>? log = null)
    {
        if (spec.StartsWith('-'))
            return true;
        var list = spec.StartsWith('+') || spec.StartsWith('^') ? spec[1..] : spec;
        var known = Known(c);
        foreach (var name in list.Split(','))
        {
            if (name.Length == 0)
                return false;
            var wildcard = name.Contains('*') || name.Contains('?');
            if (wildcard && c is Category.Key or Category.Signature)
            {
                if (!known.Any(k => SshdConfigPatterns.Match(k, name)))
                    return false;
            }
            else if (!known.Contains(name))
            {
                log?.Invoke($"Unsupported KEX algorithm \"{name}\"");
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// kex_assemble_names: `+list` appends to the defaults, `-list` removes (patterns allowed), `^list`
    /// puts in front, anything else replaces; names Lucid does not implement drop out.
    /// </summary>
    public static IReadOnlyList<string> Assemble(Category c, string? spec) =>
        Assemble(spec, Defaults(c), Supported(c));

    public static IReadOnlyList<string> Assemble(string? spec, IReadOnlyList<string> defaults, IReadOnlyList<string> supported)
    {
        if (string.IsNullOrEmpty(spec))
            return defaults;
        List<string> wanted;
        switch (spec[0])
        {
            case '-':
                var remove = spec[1..];
                return defaults.Where(d => SshdConfigPatterns.MatchList(d, remove) != 1).ToList();
            case '+':
                wanted = Concat(defaults, spec[1..].Split(','));
                break;
            case '^':
                wanted = Concat(spec[1..].Split(','), defaults);
                break;
            default:
                wanted = [.. spec.Split(',')];
                break;
        }
        var result = new List<string>();
        foreach (var pattern in wanted)
            foreach (var name in supported)
                if (SshdConfigPatterns.Match(name, pattern) && !result.Contains(name))
                    result.Add(name);
        return result;
    }

    private static List<string> Concat(IEnumerable<string> first, IEnumerable<string> second)
    {
        var list = new List<string>();
        foreach (var n in first.Concat(second))
            if (n.Length > 0 && !list.Contains(n))
                list.Add(n);
        return list;
    }
}
