using Lucid.Cli.Platform;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Agent;

/// <summary>ssh-agent's command line (getopt "cDdksTuUVE:a:O:P:t:"), parsed.</summary>
internal sealed class AgentArguments
{
    public const string Usage =
        "usage: ssh-agent [-c | -s] [-DdTU] [-a bind_address] [-E fingerprint_hash]\n" +
        "                 [-O option] [-P allowed_providers] [-t life]\n" +
        "       ssh-agent [-a bind_address] [-E fingerprint_hash] [-O option]\n" +
        "                 [-P allowed_providers] [-t life] command [arg ...]\n" +
        "       ssh-agent [-c | -s] -k\n" +
        "       ssh-agent -u";

    public bool CShell { get; private set; }
    public bool BourneShell { get; private set; }
    public bool Debug { get; private set; }
    public bool Foreground { get; private set; }
    public bool Kill { get; private set; }
    public bool TempDirectory { get; private set; }
    public bool NoStaleCleanup { get; private set; }
    public string? SocketPath { get; private set; }
    public int Lifetime { get; private set; }
    public FingerprintHash Hash { get; private set; } = FingerprintHash.Sha256;
    public string[] Command { get; private set; } = [];

    /// <summary>The parsed arguments, or the message to print and ssh-agent's exit status.</summary>
    public static (AgentArguments? Arguments, string? Error, int ExitCode) Parse(string[] args)
    {
        var a = new AgentArguments();
        var options = new Getopt(args, "aEtOP");
        while (options.Next(out var flag, out var value))
        {
            switch (flag)
            {
                case 'c' when a.BourneShell:
                case 's' when a.CShell:
                case 'd' or 'D' when a.Debug || a.Foreground:
                    return (null, Usage, 1);
                case 'c': a.CShell = true; break;
                case 's': a.BourneShell = true; break;
                case 'd': a.Debug = true; break;
                case 'D': a.Foreground = true; break;
                case 'k': a.Kill = true; break;
                case 'T': a.TempDirectory = true; break;
                case 'U': a.NoStaleCleanup = true; break;
                case 'u':
                    return (null, "ssh-agent: -u (deleting stale sockets) is not supported by Lucid yet", 1);
                case 'V':
                    return (null, $"Lucid {Lucid.Ssh.LucidVersion.Number}", 0);
                case 'a' or 'E' or 't' or 'O' or 'P':
                    if (value is null)
                        return (null, $"ssh-agent: option requires an argument -- {flag}\n{Usage}", 1);
                    if (a.Set(flag, value) is { } error)
                        return (null, error, 1);
                    break;
                default:
                    return (null, $"ssh-agent: invalid option -- '{flag}'\n{Usage}", 1);
            }
        }
        a.Command = options.Operands;
        if (a.Command.Length > 0 && (a.CShell || a.Kill || a.BourneShell || a.Debug || a.Foreground))
            return (null, Usage, 1);
        return (a, null, 0);
    }

    private string? Set(char flag, string value)
    {
        switch (flag)
        {
            case 'a':
                SocketPath = value;
                return null;
            case 'E':
                if (!KeyFingerprint.TryParseHashName(value, out var hash))
                    return $"Invalid hash algorithm \"{value}\"";
                Hash = hash;
                return null;
            case 't':
                var seconds = SshdConfigValues.ParseTime(value);
                if (seconds < 0)
                    return $"Invalid lifetime\n{Usage}";
                Lifetime = seconds;
                return null;
            case 'O':
                return $"ssh-agent: -O {value}: security key and PKCS#11 options are not supported by Lucid";
            default:
                return "ssh-agent: -P (PKCS#11 providers) is not supported by Lucid";
        }
    }
}
