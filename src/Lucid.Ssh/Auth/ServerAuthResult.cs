using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Ssh.Auth;

/// <summary>Who logged in and on what terms: the account, the configuration after Match, the key's options.</summary>
public sealed record ServerAuthResult(SshServerUser User, SshdConfig Config, AuthorizedKeysOptions KeyOptions, string Method);
