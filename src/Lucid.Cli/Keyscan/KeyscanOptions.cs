using Lucid.Cli.Platform;

namespace Lucid.Cli.Keyscan;

/// <summary>ssh-keyscan's command line, parsed getopt-style ("-Ht rsa", "-p2222", "--" ends options).</summary>
internal sealed class KeyscanOptions
{
    public const string Usage =
        "usage: ssh-keyscan [-46cDHqv] [-f file] [-p port] [-T timeout] [-t type]\n\t\t   [host | addrlist namelist]";

    public int Port { get; private set; } = 22;
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(5);
    public bool Hash { get; private set; }
    public bool Quiet { get; private set; }
    public int Verbose { get; private set; }
    public System.Net.Sockets.AddressFamily? Family { get; private set; }
    public List<KeyscanType> Types { get; private set; } = [.. KeyscanType.Defaults];
    public List<string> Files { get; } = [];
    public List<string> Hosts { get; } = [];

    /// <summary>Parses; on an error returns the message and exit code ssh-keyscan would give.</summary>
    public static (KeyscanOptions? Options, string? Error, int ExitCode) Parse(string[] args)
    {
        var o = new KeyscanOptions();
        var options = new Getopt(args, "fpTt");
        while (options.Next(out var flag, out var value))
        {
            switch (flag)
            {
                case '4': o.Family = System.Net.Sockets.AddressFamily.InterNetwork; break;
                case '6': o.Family = System.Net.Sockets.AddressFamily.InterNetworkV6; break;
                case 'H': o.Hash = true; break;
                case 'q': o.Quiet = true; break;
                case 'v': o.Verbose++; break;
                case 'c':
                case 'D':
                    return (null, $"ssh-keyscan: -{flag} is not supported by Lucid yet", 1);
                case 'f' or 'p' or 'T' or 't':
                    if (value is null)
                        return (null, $"option requires an argument -- {flag}\n{Usage}", 1);
                    if (o.Set(flag, value) is { } error)
                        return (null, error.Message, error.ExitCode);
                    break;
                default:
                    return (null, $"unknown option -- {flag}\n{Usage}", 1);
            }
        }
        o.Hosts.AddRange(options.Operands);
        if (o.Hosts.Count == 0 && o.Files.Count == 0)
            return (null, Usage, 1);
        return (o, null, 0);
    }

    private (string Message, int ExitCode)? Set(char flag, string value)
    {
        switch (flag)
        {
            case 'p':
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, null, out var port) || port <= 0 || port > 65535)
                    return ($"Bad port '{value}'", 1);
                Port = port;
                return null;
            case 'T':
                var seconds = Lucid.Ssh.OpenSsh.SshdConfigValues.ParseTime(value);
                if (seconds <= 0)
                    return ($"Bad timeout '{value}'\n{Usage}", 1);
                Timeout = TimeSpan.FromSeconds(seconds);
                return null;
            case 'f':
                Files.Add(value);
                return null;
            default:
                var types = new List<KeyscanType>();
                foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var type = KeyscanType.FromName(name);
                    if (type is null)
                        return ($"Unknown key type \"{name}\"", 255);
                    if (!types.Contains(type))
                        types.Add(type);
                }
                // Scanned in OpenSSH's fixed order whatever order -t lists them in.
                Types = [.. KeyscanType.All.Where(types.Contains)];
                return null;
        }
    }
}
