using Lucid.Cli.Platform;

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
        var options = new Getopt(args, "CcEfghopu");
        while (options.Next(out var flag, out var value))
        {
            switch (flag)
            {
                case 'C' or 'c' or 'E' or 'f' or 'g' or 'h' or 'o' or 'p' or 'u':
                    if (value is null)
                    {
                        error.Write($"option requires an argument -- {flag}\n{Usage}");
                        return null;
                    }
                    if (!a.TakeValue(flag, value, error))
                        return null;
                    break;
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
        // sshd takes no operands, not even after "--".
        if (options.Operands.Length > 0)
        {
            error.Write($"Extra argument {options.Operands[0]}.\n");
            return null;
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
