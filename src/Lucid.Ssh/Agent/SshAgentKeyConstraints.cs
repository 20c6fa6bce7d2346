namespace Lucid.Ssh.Agent;

/// <summary>What ssh-add -t and -c ask of the agent for one key.</summary>
public sealed record SshAgentKeyConstraints
{
    /// <summary>The key is forgotten (and wiped) this long after it was added; null for as long as the agent runs.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>Every use of the key is confirmed by the agent's user first (ssh-add -c; SSH_ASKPASS).</summary>
    public bool Confirm { get; init; }

    public static SshAgentKeyConstraints None { get; } = new();

    internal bool IsEmpty => Lifetime is null && !Confirm;
}
