namespace Lucid.Cli.Keyscan;

/// <summary>
/// One key type ssh-keyscan asks for, with the host key algorithms it offers to get it (one connection each,
/// as OpenSSH's ssh-keyscan does). Types Lucid cannot verify (DSA, security keys) only fetch the banner.
/// </summary>
internal sealed record KeyscanType(string Name, string[] HostKeyAlgorithms, bool Supported)
{
    public static readonly KeyscanType Dsa = new("dsa", ["ssh-dss"], false);
    public static readonly KeyscanType Rsa = new("rsa", ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], true);
    public static readonly KeyscanType Ecdsa = new("ecdsa", ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"], true);
    public static readonly KeyscanType Ed25519 = new("ed25519", ["ssh-ed25519"], true);
    public static readonly KeyscanType EcdsaSk = new("ecdsa-sk", ["sk-ecdsa-sha2-nistp256@openssh.com"], false);
    public static readonly KeyscanType Ed25519Sk = new("ed25519-sk", ["sk-ssh-ed25519@openssh.com"], false);

    /// <summary>In OpenSSH's scanning order (its KT_* bit order).</summary>
    public static readonly KeyscanType[] All = [Dsa, Rsa, Ecdsa, Ed25519, EcdsaSk, Ed25519Sk];

    /// <summary>OpenSSH 9.2's default: everything but DSA.</summary>
    public static readonly KeyscanType[] Defaults = [Rsa, Ecdsa, Ed25519, EcdsaSk, Ed25519Sk];

    /// <summary>
    /// A -t name as sshkey_type_from_name takes it: a short name in any case ("rsa", "ECDSA") or a plain key or
    /// signature algorithm name ("ssh-ed25519", "ecdsa-sha2-nistp384", "rsa-sha2-256"). Null if unknown.
    /// </summary>
    public static KeyscanType? FromName(string name)
    {
        foreach (var type in All)
            if (string.Equals(type.Name, name, StringComparison.OrdinalIgnoreCase))
                return type;
        return name switch
        {
            "ssh-dss" => Dsa,
            "ssh-rsa" or "rsa-sha2-256" or "rsa-sha2-512" => Rsa,
            "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521" => Ecdsa,
            "ssh-ed25519" => Ed25519,
            "sk-ecdsa-sha2-nistp256@openssh.com" => EcdsaSk,
            "sk-ssh-ed25519@openssh.com" => Ed25519Sk,
            _ => null,
        };
    }
}
