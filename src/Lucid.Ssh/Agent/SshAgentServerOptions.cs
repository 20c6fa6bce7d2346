namespace Lucid.Ssh.Agent;

/// <summary>What a hosted agent asks its user before a confirm-constrained key signs (ssh-add -c).</summary>
/// <param name="Comment">The key's comment.</param>
/// <param name="Fingerprint">The key's fingerprint in the agent's hash (ssh-agent -E).</param>
public sealed record SshAgentConfirmation(string Comment, string Fingerprint)
{
    /// <summary>OpenSSH's question, as its ssh-agent puts it to SSH_ASKPASS.</summary>
    public string Prompt => $"Allow use of key {Comment}?\nKey fingerprint {Fingerprint}.";
}

/// <summary>How an <see cref="SshAgentServer"/> behaves.</summary>
public sealed class SshAgentServerOptions
{
    /// <summary>
    /// Asks the user whether a confirm-constrained key may sign; true allows. Without it such keys are refused when
    /// added, since no one could confirm their use.
    /// </summary>
    public Func<SshAgentConfirmation, CancellationToken, ValueTask<bool>>? Confirm { get; set; }

    /// <summary>The lifetime of keys added without one (ssh-agent -t); null keeps them until removed.</summary>
    public TimeSpan? DefaultLifetime { get; set; }

    /// <summary>The hash fingerprints are shown with in confirmations (ssh-agent -E).</summary>
    public Keys.FingerprintHash FingerprintHash { get; set; } = Keys.FingerprintHash.Sha256;

    /// <summary>Where the agent says what it refused and why (OpenSSH's ssh-agent -d lines); null for silence.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>What the clock says; tests replace it to expire keys without waiting.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
