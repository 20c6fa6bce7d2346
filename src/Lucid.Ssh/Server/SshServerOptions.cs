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

    /// <summary>The host keys (key files, or any other <see cref="ISshSigner"/>); the algorithms offered are those they sign with.</summary>
    public required IReadOnlyList<ISshSigner> HostKeys { get; set; }

    /// <summary>
    /// The operating system: users, PAM, authorized_keys files with StrictModes, and the processes sessions run.
    /// Optional for a host that sets <see cref="Authentication"/> and serves only its own handlers and subsystems:
    /// without it, exec, shell and sshd_config Subsystem commands are refused.
    /// </summary>
    public ISshServerBackend? Backend { get; init; }

    /// <summary>Who may log in; null: <see cref="OpenSshServerAuthentication"/> over <see cref="Backend"/>, as sshd.</summary>
    public ISshServerAuthentication? Authentication { get; init; }

    /// <summary>The handlers for channel types, global requests and in-process subsystems ("session" is there already).</summary>
    public SshServerHandlers Handlers { get; init; } = new();

    internal ISshServerAuthentication ResolveAuthentication() =>
        Authentication ?? (Backend is { } backend ? new OpenSshServerAuthentication(backend)
            : throw new InvalidOperationException("SshServerOptions needs an Authentication or a Backend"));

    /// <summary>Receives sshd's log lines (Information = INFO, EventId 1 at Debug = VERBOSE, Debug = debug1).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Our identification string's software part.</summary>
    public string SoftwareVersion { get; init; } = LucidVersion.SoftwareVersion;
}
