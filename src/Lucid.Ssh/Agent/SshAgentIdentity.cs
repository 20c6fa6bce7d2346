using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Agent;

/// <summary>A key an agent holds, as it lists it: the public key (or certificate) and the comment it was added with.</summary>
public sealed record SshAgentIdentity(SshPublicKey PublicKey, string Comment);
