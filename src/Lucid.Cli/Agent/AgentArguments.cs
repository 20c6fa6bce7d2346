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
        int i = 0;
        for (; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
                break;
            for (int j = 1; j < arg.Length; j++)
            {
                char flag = arg[j];
                switch (flag)
                {
                    case 'c' when a.BourneShell:
                    case 's' when a.CShell:
                    case 'd' or 'D' when a.Debug || a.Foreground:
                        return (null, Usage, 1);
                    case 'c': a.CShell = true; continue;
                    case 's': a.BourneShell = true; continue;
                    case 'd': a.Debug = true; continue;
                    case 'D': a.Foreground = true; continue;
                    case 'k': a.Kill = true; continue;
                    case 'T': a.TempDirectory = true; continue;
                    case 'U': a.NoStaleCleanup = true; continue;
                    case 'u':
                        return (null, "ssh-agent: -u (deleting stale sockets) is not supported by Lucid yet", 1);
                    case 'V':
                        return (null, $"Lucid {Lucid.Ssh.LucidVersion.Number}", 0);
                    case 'a' or 'E' or 't' or 'O' or 'P':
                        string value;
                        if (j + 1 < arg.Length)
                            value = arg[(j + 1)..];
                        else if (i + 1 < args.Length)
                            value = args[++i];
                        else
                            return (null, $"ssh-agent: option requires an argument -- {flag}\n{Usage}", 1);
                        if (a.Set(flag, value) is { } error)
                            return (null, error, 1);
                        j = arg.Length;
                        continue;
                    default:
                        return (null, $"ssh-agent: invalid option -- '{flag}'\n{Usage}", 1);
                }
            }
        }
        a.Command = args[i..];
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
