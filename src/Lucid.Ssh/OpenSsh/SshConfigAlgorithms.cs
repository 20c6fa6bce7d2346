using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The algorithm names ssh_config's Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms, PubkeyAcceptedAlgorithms,
/// HostbasedAcceptedAlgorithms and CASignatureAlgorithms are checked and edited against: for each category the
/// default list ("+x" appends to it, "-x" removes from it, "^x" puts x in front of it) and every supported name
/// (what a value may name at all). <see cref="Lucid"/> (the default) is what Lucid implements, from
/// <see cref="AlgorithmRegistry"/>; <see cref="OpenSsh92"/> is OpenSSH 9.2p1's, which makes the algorithm lines
/// of `ssh -G` output comparable name for name.
/// </summary>
public sealed record SshConfigAlgorithms(
    string DefaultCiphers, string AllCiphers,
    string DefaultMacs, string AllMacs,
    string DefaultKex, string AllKex,
    string DefaultKeyAlgorithms, string AllKeyAlgorithms,
    string DefaultSignatureAlgorithms, string AllSignatureAlgorithms,
    string DefaultGssKex, string AllGssKex)
{
    /// <summary>OpenSSH 9.2p1's lists (Debian build: `ssh -Q cipher|mac|kex|key-sig|sig` and the defaults `ssh -G` prints).</summary>
    public static SshConfigAlgorithms OpenSsh92 { get; } = new(
        DefaultCiphers: "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
        AllCiphers: "3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com",
        DefaultMacs: "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
        AllMacs: "hmac-sha1,hmac-sha1-96,hmac-sha2-256,hmac-sha2-512,hmac-md5,hmac-md5-96,umac-64@openssh.com,umac-128@openssh.com,hmac-sha1-etm@openssh.com,hmac-sha1-96-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com",
        DefaultKex: "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256",
        AllKex: "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,curve25519-sha256,curve25519-sha256@libssh.org,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com",
        DefaultKeyAlgorithms: "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
        AllKeyAlgorithms: "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-dss-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256,rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com",
        DefaultSignatureAlgorithms: "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
        AllSignatureAlgorithms: "ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-rsa,rsa-sha2-256,rsa-sha2-512",
        DefaultGssKex: "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-",
        AllGssKex: "gss-gex-sha1-,gss-group1-sha1-,gss-group14-sha1-,gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-");

    /// <summary>Lucid's own lists: its defaults and everything it implements (GSSAPI key exchange, which Lucid does
    /// not implement, keeps OpenSSH's names so the option still parses and prints).</summary>
    // Declared after OpenSsh92 on purpose: static initializers run in textual order and this one reads it.
    public static SshConfigAlgorithms Lucid { get; } = new(
        DefaultCiphers: Join(AlgorithmRegistry.Defaults(AlgorithmCategory.Cipher)),
        AllCiphers: Join(AlgorithmRegistry.Names(AlgorithmCategory.Cipher)),
        DefaultMacs: Join(AlgorithmRegistry.Defaults(AlgorithmCategory.Mac)),
        AllMacs: Join(AlgorithmRegistry.Names(AlgorithmCategory.Mac)),
        DefaultKex: Join(AlgorithmRegistry.Defaults(AlgorithmCategory.Kex)),
        AllKex: Join(AlgorithmRegistry.Names(AlgorithmCategory.Kex)),
        DefaultKeyAlgorithms: Join(AlgorithmRegistry.Defaults(AlgorithmCategory.HostKey)),
        AllKeyAlgorithms: Join(AlgorithmRegistry.Names(AlgorithmCategory.HostKey)),
        // Signature algorithms (CASignatureAlgorithms) are the plain ones; certificates are key types, not signatures.
        DefaultSignatureAlgorithms: Join([.. AlgorithmRegistry.HostKey.Where(a => a.EnabledByDefault).Select(a => a.Name)]),
        AllSignatureAlgorithms: Join([.. AlgorithmRegistry.HostKey.Select(a => a.Name)]),
        DefaultGssKex: OpenSsh92.DefaultGssKex,
        AllGssKex: OpenSsh92.AllGssKex);

    private static string Join(IReadOnlyList<string> names) => string.Join(',', names);

    /// <summary>True when every comma-separated name is exactly one of <paramref name="all"/> (no wildcards).</summary>
    internal static bool AllKnown(string names, string all, out string? firstUnknown)
    {
        firstUnknown = null;
        if (names.Length == 0)
            return false;
        var known = all.Split(',');
        foreach (var name in names.Split(','))
        {
            if (name.Length == 0)
                break; // OpenSSH stops at an empty element
            if (!known.Contains(name))
            {
                firstUnknown = name;
                return false;
            }
        }
        return true;
    }

    /// <summary>Key-type names may also be wildcard patterns, valid when they match (or negate) some key type.</summary>
    internal static bool KeyNamesValid(string names, string allKeyAlgorithms)
    {
        if (names.Length == 0)
            return false;
        var known = allKeyAlgorithms.Split(',');
        foreach (var name in names.Split(','))
        {
            if (name.Length == 0)
                break;
            if (known.Contains(name))
                continue;
            if (!known.Any(k => SshConfigPatterns.MatchList(k, name, false) != 0))
                return false;
        }
        return true;
    }

    /// <summary>Applies a configured value to a default list: "+" appends, "-" removes, "^" prepends, otherwise the
    /// value replaces the list; patterns are resolved against <paramref name="all"/>. Null when the result is empty.</summary>
    public static string? Assemble(string? configured, string defaults, string all)
    {
        if (string.IsNullOrEmpty(configured))
            return defaults;
        string list;
        switch (configured[0])
        {
            case '+':
                list = Concatenate(defaults, configured[1..]);
                break;
            case '-':
                return Filter(defaults, configured[1..], deny: true);
            case '^':
                list = Concatenate(configured[1..], defaults);
                break;
            default:
                list = configured;
                break;
        }
        string? result = null;
        foreach (var pattern in list.Split(','))
        {
            if (pattern.StartsWith('!'))
                return null;
            result = Concatenate(result, Filter(all, pattern, deny: false));
        }
        return string.IsNullOrEmpty(result) ? null : result;
    }

    private static string Concatenate(string? a, string b)
    {
        if (string.IsNullOrEmpty(a))
            return b;
        if (string.IsNullOrEmpty(b))
            return a;
        var names = a.Split(',').ToList();
        foreach (var n in b.Split(','))
        {
            if (n.Length == 0)
                break;
            if (!names.Contains(n))
                names.Add(n);
        }
        return string.Join(',', names);
    }

    private static string Filter(string proposal, string filter, bool deny) =>
        string.Join(',', proposal.Split(',').Where(n => (SshConfigPatterns.MatchList(n, filter, false) == 1) != deny));
}
