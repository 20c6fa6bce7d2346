namespace Lucid.Ssh.OpenSsh;

/// <summary>The outcome of a known_hosts lookup; File and Line name the deciding entry when there is one.</summary>
public sealed record KnownHostsResult(KnownHostsStatus Status, string? File = null, int Line = 0, bool OtherTypesKnown = false);
