using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Agent;

/// <summary>One key held by an agent, as an <see cref="ISshSigner"/>: signing is a request to the agent.</summary>
public sealed class SshAgentSigner : ISshSigner
{
    private readonly SshAgentClient _agent;

    internal SshAgentSigner(SshAgentClient agent, SshAgentIdentity identity)
    {
        _agent = agent;
        Identity = identity;
    }

    public SshAgentIdentity Identity { get; }

    public SshPublicKey PublicKey => Identity.PublicKey;

    /// <summary>The comment the key was added with (ssh prints it in "Offering public key" lines).</summary>
    public string Comment => Identity.Comment;

    public async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default) =>
        await _agent.SignAsync(PublicKey, data, signatureAlgorithm, cancellationToken).ConfigureAwait(false);
}
