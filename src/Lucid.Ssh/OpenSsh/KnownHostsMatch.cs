namespace Lucid.Ssh.OpenSsh;

/// <summary>How a known_hosts host field relates to one name.</summary>
public enum KnownHostsMatch
{
    /// <summary>No pattern matched.</summary>
    None,
    /// <summary>A plain pattern or wildcard matched.</summary>
    Pattern,
    /// <summary>A hashed name matched.</summary>
    Hashed,
    /// <summary>A negated pattern matched: the line must not apply to this name, whatever else matched.</summary>
    Negated,
}
