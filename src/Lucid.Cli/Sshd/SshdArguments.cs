namespace Lucid.Cli.Sshd;

/// <summary>sshd's command line (getopt "46C:c:DdeE:f:g:h:iqTtu:o:p:V"), with sshd's messages for mistakes.</summary>
internal sealed class SshdArguments
{
    public string? ConfigFile { get; private set; }
    public List<int> Ports { get; } = [];
    public List<string> HostKeys { get; } = [];
    public List<string> Options { get; } = [];
    public List<string> ConnectionSpecs { get; } = [];
    public bool Debug { get; private set; }
    public int DebugLevel { get; private set; }
    public bool NoDetach { get; private set; }
    public bool LogToStderr { get; private set; }
    public bool Quiet { get; private set; }
    /// <summary>-i: serve one connection on stdin/stdout (inetd, or ssh's ProxyCommand), then exit.</summary>
    public bool Inetd { get; private set; }
    /// <summary>1 for -t (check), 2 for -T (check and print the effective configuration).</summary>
    public int TestMode { get; private set; }
    public string? LogFile { get; private set; }
    public bool ShowVersion { get; private set; }

    public const string Usage =
        "usage: sshd [-46DdeiqTtV] [-C connection_spec] [-c host_cert_file]\n" +
        "            [-E log_file] [-f config_file] [-g login_grace_time]\n" +
        "            [-h host_key_file] [-o option] [-p port] [-u len]\n";

    /// <summary>Parses; on a mistake returns null after writing sshd's message to <paramref name="error"/>.</summary>
    public static SshdArguments? Parse(string[] args, TextWriter error)
    {
        var a = new SshdArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                if (i + 1 < args.Length)
                {
                    error.Write($"Extra argument {args[i + 1]}.\n");
                    return null;
                }
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                error.Write($"Extra argument {arg}.\n");
                return null;
            }
            for (var j = 1; j < arg.Length; j++)
            {
                var flag = arg[j];
                if ("CcEfghkopu".Contains(flag))
                {
                    string value;
                    if (j + 1 < arg.Length)
                        value = arg[(j + 1)..];
                    else if (i + 1 < args.Length)
                        value = args[++i];
                    else
                    {
                        error.Write($"option requires an argument -- {flag}\n{Usage}");
                        return null;
                    }
                    if (!a.TakeValue(flag, value, error))
                        return null;
                    break;
                }
                switch (flag)
                {
                    case '4': a.Options.Add("AddressFamily inet"); break;
                    case '6': a.Options.Add("AddressFamily inet6"); break;
                    case 'd':
                        a.Debug = true;
                        a.DebugLevel = Math.Min(3, a.DebugLevel + 1);
                        break;
                    case 'D': a.NoDetach = true; break;
                    case 'e': a.LogToStderr = true; break;
                    case 'q': a.Quiet = true; break;
                    case 'i': a.Inetd = true; break;
                    case 't': a.TestMode = Math.Max(a.TestMode, 1); break;
                    case 'T': a.TestMode = 2; break;
                    case 'V': a.ShowVersion = true; break;
                    default:
                        error.Write($"unknown option -- {flag}\n{Usage}");
                        return null;
                }
            }
        }
        return a;
    }

    private bool TakeValue(char flag, string value, TextWriter error)
    {
        switch (flag)
        {
            case 'f': ConfigFile = value; break;
            case 'h': HostKeys.Add(value); break;
            case 'o': Options.Add(value); break;
            case 'C': ConnectionSpecs.Add(value); break;
            case 'E': LogFile = value; break;
            case 'g': Options.Add($"LoginGraceTime {value}"); break;
            case 'c': Options.Add($"HostCertificate {value}"); break;
            case 'p':
                if (!int.TryParse(value, out var port) || port <= 0 || port > 65535)
                {
                    error.Write("Bad port number.\n");
                    return false;
                }
                Ports.Add(port);
                break;
        }
        return true;
    }
}
