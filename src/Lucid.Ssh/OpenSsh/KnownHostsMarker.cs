namespace Lucid.Ssh.OpenSsh;

/// <summary>The marker a known_hosts line may start with.</summary>
public enum KnownHostsMarker
{
    /// <summary>An ordinary host key line.</summary>
    None,
    /// <summary>"@cert-authority": the key is a CA whose host certificates are trusted for the named hosts.</summary>
    CertAuthority,
    /// <summary>"@revoked": the key must never be accepted, whichever host presents it.</summary>
    Revoked,
}
