namespace Lucid.Cli.Keygen;

/// <summary>What -t accepts: OpenSSH's short names (any case) or full key type names.</summary>
internal sealed record KeyTypeName(string Family, string FileName, int DefaultBits)
{
    public static readonly KeyTypeName Ed25519 = new("ed25519", "id_ed25519", 256);
    public static readonly KeyTypeName Ecdsa = new("ecdsa", "id_ecdsa", 256);
    public static readonly KeyTypeName Rsa = new("rsa", "id_rsa", 3072);
}

internal static class KeyTypeNames
{
    /// <summary>The family and the bits implied by a full name (ecdsa-sha2-nistp384 → 384), or null if unknown.</summary>
    public static KeyTypeName? Resolve(string name) => ResolveWithBits(name)?.Type;

    public static (KeyTypeName Type, int ImpliedBits)? ResolveWithBits(string name)
    {
        switch (name)
        {
            case "ssh-ed25519": return (KeyTypeName.Ed25519, 0);
            case "ssh-rsa": return (KeyTypeName.Rsa, 0);
            case "ecdsa-sha2-nistp256": return (KeyTypeName.Ecdsa, 256);
            case "ecdsa-sha2-nistp384": return (KeyTypeName.Ecdsa, 384);
            case "ecdsa-sha2-nistp521": return (KeyTypeName.Ecdsa, 521);
        }
        return name.ToLowerInvariant() switch
        {
            "ed25519" => (KeyTypeName.Ed25519, 0),
            "ecdsa" => (KeyTypeName.Ecdsa, 0),
            "rsa" => (KeyTypeName.Rsa, 0),
            _ => null,
        };
    }
}
