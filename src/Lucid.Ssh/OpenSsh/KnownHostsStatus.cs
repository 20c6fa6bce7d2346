namespace Lucid.Ssh.OpenSsh;

/// <summary>What known_hosts says about a host's key.</summary>
public enum KnownHostsStatus
{
    /// <summary>No key of this type is recorded for the host (it may have keys of other types).</summary>
    Unknown,
    /// <summary>The key is recorded for the host.</summary>
    Known,
    /// <summary>The host has a different key of the same type recorded: possibly an attack.</summary>
    Changed,
    /// <summary>The key is marked @revoked.</summary>
    Revoked,
}
