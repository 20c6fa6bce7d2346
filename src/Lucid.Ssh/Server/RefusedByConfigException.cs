namespace Lucid.Ssh.Server;

/// <summary>RefuseConnection applied to this connection: sshd ends it without a word to the client.</summary>
internal sealed class RefusedByConfigException() : SshException("connection refused by RefuseConnection");
