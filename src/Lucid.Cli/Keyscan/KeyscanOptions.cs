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
        var i = 0;
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
            for (var j = 1; j < arg.Length; j++)
            {
                var flag = arg[j];
                switch (flag)
                {
                    case '4': o.Family = System.Net.Sockets.AddressFamily.InterNetwork; continue;
                    case '6': o.Family = System.Net.Sockets.AddressFamily.InterNetworkV6; continue;
                    case 'H': o.Hash = true; continue;
                    case 'q': o.Quiet = true; continue;
                    case 'v': o.Verbose++; continue;
                    case 'c':
                    case 'D':
                        return (null, $"ssh-keyscan: -{flag} is not supported by Lucid yet", 1);
                    case 'f' or 'p' or 'T' or 't':
                        string value;
                        if (j + 1 < arg.Length)
                            value = arg[(j + 1)..];
                        else if (i + 1 < args.Length)
                            value = args[++i];
                        else
                            return (null, $"option requires an argument -- {flag}\n{Usage}", 1);
                        var error = o.Set(flag, value);
                        if (error is not null)
                            return (null, error.Value.Message, error.Value.ExitCode);
                        j = arg.Length;
                        continue;
                    default:
                        return (null, $"unknown option -- {flag}\n{Usage}", 1);
                }
            }
        }
        o.Hosts.AddRange(args[i..]);
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
                var seconds = ParseTime(value);
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

    /// <summary>OpenSSH's convtime: a number of seconds, or a sum of numbers with s/m/h/d/w units; -1 if invalid.</summary>
    private static long ParseTime(string text)
    {
        if (text.Length == 0)
            return -1;
        long total = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            if (i == start || !long.TryParse(text.AsSpan(start, i - start), out var n))
                return -1;
            long unit = 1;
            if (i < text.Length)
            {
                unit = char.ToLowerInvariant(text[i]) switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => -1 };
                if (unit < 0)
                    return -1;
                i++;
            }
            total += n * unit;
        }
        return total;
    }
}
