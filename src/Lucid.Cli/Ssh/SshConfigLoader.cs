using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Resolves the effective ssh_config for an invocation, the same way for connecting and for -G: the command
/// line's lines first, then -F's file or else ~/.ssh/config and /etc/ssh/ssh_config.
/// </summary>
internal static class SshConfigLoader
{
    /// <exception cref="SshConfigException">The configuration is bad; its log holds what ssh would print.</exception>
    public static EffectiveSshConfig Resolve(SshInvocation invocation) =>
        SshConfig.Resolve(invocation.Host!, new SshConfigResolveOptions
        {
            ConfigFile = invocation.ConfigFile,
            CommandLineOptions = invocation.ConfigLines,
            StdioForwarding = invocation.StdioForwardHost is not null,
            HasRemoteCommand = invocation.HasCommand,
            RemoteCommand = invocation.HasCommand ? string.Join(' ', invocation.Command) : null,
            LocalUser = LocalUser,
        });

    /// <summary>The local user, with $HOME (when set) as the home directory: Lucid locates ~/.ssh through $HOME,
    /// so a test or sandbox can give ssh its own ~/.ssh/config and known_hosts. (OpenSSH reads the password
    /// database instead; the two agree whenever $HOME is the account's home, as it normally is.)</summary>
    public static SshConfigLocalUser LocalUser
    {
        get
        {
            var user = SshConfigLocalUser.Current;
            return Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? user with { HomeDirectory = home } : user;
        }
    }
}
