namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// What <see cref="SshConfig.Resolve"/> needs besides the host: the command line's say (it comes first and
/// therefore wins), which files to read, and the facts about the local machine tokens expand to.
/// </summary>
public sealed class SshConfigResolveOptions
{
    /// <summary>-F: read only this file (relative Includes then resolve under ~/.ssh); "none" reads no file at all.
    /// Null reads the user's ~/.ssh/config and then <see cref="SystemConfigFile"/>.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Command-line settings in the order given, each as an -o value ("Port=2222", "User alice").
    /// The CLI turns its flags into these in argv order, e.g. -p 2222 into "Port=2222", -l into "User=...",
    /// -i into "IdentityFile=...", -J into "ProxyJump=...", and the user of user@host into "User=..." at the point
    /// the destination appeared.</summary>
    public IReadOnlyList<string> CommandLineOptions { get; init; } = [];

    /// <summary>The system-wide file read after the user's (ignored when <see cref="ConfigFile"/> is set).</summary>
    public string SystemConfigFile { get; init; } = "/etc/ssh/ssh_config";

    /// <summary>Where relative Include paths of the system file resolve.</summary>
    public string SystemConfigDirectory { get; init; } = "/etc/ssh";

    /// <summary>The user's file; null means ~/.ssh/config under the local user's home.</summary>
    public string? UserConfigFile { get; init; }

    /// <summary>The local user and host (tokens %u %i %d %l %L, default User, ~ in known-hosts paths).</summary>
    public SshConfigLocalUser? LocalUser { get; init; }

    /// <summary>Environment lookup for ${VAR}, $HOME in Include's ~ and $SHELL for Match exec.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Default and supported algorithm names that +, - and ^ edit and that values are checked against
    /// (Lucid's own unless told otherwise; <see cref="SshConfigAlgorithms.OpenSsh92"/> reproduces OpenSSH's).</summary>
    public SshConfigAlgorithms Algorithms { get; init; } = SshConfigAlgorithms.Lucid;

    /// <summary>Runs a Match exec command and returns its exit status (negative: it did not exit normally).
    /// Null runs it with $SHELL -c as OpenSSH does.</summary>
    public Func<string, int>? MatchExec { get; init; }

    /// <summary>Resolves a name for CanonicalizeHostname and CanonicalizePermittedCNAMEs: its canonical name (the
    /// name itself when there is no CNAME) when it has an address, null when it does not. Null uses DNS.</summary>
    public Func<string, string?>? ResolveHostName { get; init; }

    /// <summary>-W is in use: ClearAllForwardings and ExitOnForwardFailure then default to yes.</summary>
    public bool StdioForwarding { get; init; }

    /// <summary>A command was given after the host (affects UpdateHostKeys=ask, as in OpenSSH).</summary>
    public bool HasRemoteCommand { get; init; }

    /// <summary>The command given after the host (or the subsystem name with -s), for `Match command` and
    /// `Match sessiontype`; null when there is none.</summary>
    public string? RemoteCommand { get; init; }

    /// <summary>What `Match version` compares with: this client's release, as OpenSSH compares "OpenSSH_10.5p1".</summary>
    public string Release { get; init; } = SshConfigLocalNetwork.LucidRelease;

    /// <summary>The addresses of the interfaces that are up, for `Match localnetwork`; null asks the system.</summary>
    public Func<IReadOnlyList<System.Net.IPAddress>>? LocalAddresses { get; init; }
}
