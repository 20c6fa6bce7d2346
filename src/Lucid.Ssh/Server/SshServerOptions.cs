using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lucid.Ssh.Server;

/// <summary>How an <see cref="SshServer"/> runs: its sshd configuration, host keys and the system backend.</summary>
public sealed class SshServerOptions
{
    /// <summary>The effective sshd_config; replace it (with <see cref="SshServer.Reload"/>) to change what new connections get.</summary>
    public required SshdConfig Config { get; set; }

    public required IReadOnlyList<SshPrivateKey> HostKeys { get; set; }

    public required ISshServerBackend Backend { get; init; }

    /// <summary>Receives sshd's log lines (Information = INFO, EventId 1 at Debug = VERBOSE, Debug = debug1).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Our identification string's software part.</summary>
    public string SoftwareVersion { get; init; } = LucidVersion.SoftwareVersion;
}
