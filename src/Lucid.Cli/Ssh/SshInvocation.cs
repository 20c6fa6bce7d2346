namespace Lucid.Cli.Ssh;

/// <summary>
/// What ssh's command line says besides configuration: the destination, the remote command, where to read
/// configuration and write the log, -W, -G, -Q, -V and the -v count. Every flag that has a configuration
/// equivalent (-p, -l, -i, -J, -t, -N, -C ...) is carried as an ssh_config line in <see cref="ConfigLines"/>,
/// so the effective configuration (<see cref="Lucid.Ssh.OpenSsh.EffectiveSshConfig"/>) is the one source of
/// truth for everything a connection does.
/// </summary>
internal sealed class SshInvocation
{
    /// <summary>The destination's host part as typed (without user@ or ssh://); null with -Q or -V alone.</summary>
    public string? Host { get; set; }

    /// <summary>The words after the destination, joined with spaces to make the remote command.</summary>
    public List<string> Command { get; } = [];

    public bool HasCommand => Command.Count > 0;

    /// <summary>Configuration lines from flags and -o, in the order ssh applies them (the first value wins).</summary>
    public List<string> ConfigLines { get; } = [];

    /// <summary>-F: the only file read ("none" reads none); null reads ~/.ssh/config and /etc/ssh/ssh_config.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>-E: where log lines go instead of stderr.</summary>
    public string? LogFile { get; set; }

    /// <summary>How many -v were given (passed on to the nested ssh of a ProxyJump, as OpenSSH does).</summary>
    public int Verbosity { get; set; }

    /// <summary>The log level the command line alone asks for (-q, -v), used while the configuration is read.</summary>
    public LogLevel CommandLineLogLevel { get; set; } = LogLevel.Info;

    /// <summary>-W host:port: stdin and stdout become a direct-tcpip channel to that address, nothing else runs.</summary>
    public string? StdioForwardHost { get; set; }
    public int StdioForwardPort { get; set; }

    /// <summary>-G: print the effective configuration instead of connecting.</summary>
    public bool PrintConfig { get; set; }

    /// <summary>-Q: the query; -V: print the version.</summary>
    public string? Query { get; set; }
    public bool Version { get; set; }

    /// <summary>Flags OpenSSH has that need what Lucid does not do yet (forwarding, agent, multiplexing...);
    /// refused when connecting, accepted by -G, which only prints what they mean.</summary>
    public List<char> NotYet { get; } = [];
}
