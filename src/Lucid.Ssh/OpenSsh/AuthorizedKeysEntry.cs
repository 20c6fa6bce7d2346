using Lucid.Ssh.Keys;

namespace Lucid.Ssh.OpenSsh;

/// <summary>One usable line of an authorized_keys file: the key, its options, its comment and where it was.</summary>
public sealed record AuthorizedKeysEntry(SshPublicKey Key, AuthorizedKeysOptions Options, string Comment, string File, int Line)
{
    /// <summary>"file:line", the location sshd names in its messages.</summary>
    public string Location => $"{File}:{Line}";
}
