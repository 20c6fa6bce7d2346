using System.Globalization;
using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// `lucid ssh -G`: resolves the configuration as ssh would for the destination and prints it in `ssh -G`'s
/// format. Reads the whole command line with OpenSSH's getopt rules and turns each flag into the equivalent
/// configuration option, in order, so that the first value obtained wins exactly as in ssh.
/// </summary>
internal static class SshConfigDump
{
    private const string WithArgument = "bceilmopBDEFIJLOQRSwW";
    private const string NoArgument = "1246afgkKnqstvxACGKMNPTVXYy";

    /// <summary>True when the options include -G (and neither -V nor -Q, which ssh answers before it).</summary>
    public static bool IsRequested(string[] args)
    {
        var seen = false;
        foreach (var (letter, _) in Options(args, out _, out _))
        {
            if (letter is 'V' or 'Q')
                return false;
            seen |= letter == 'G';
        }
        return seen;
    }

    public static int Run(string[] args)
    {
        var commandLine = new List<string>();
        string? configFile = null;
        var stdio = false;
        var verbosity = 0;
        try
        {
            foreach (var (letter, value) in Options(args, out _, out _))
            {
                if (letter == '\0')
                {
                    AddDestination(commandLine, value!);
                    continue;
                }
                switch (letter)
                {
                    case 'o': commandLine.Add(value!); break;
                    case 'F': configFile = value; break;
                    case 'p':
                        if (SshConfigForwardPort(value!) <= 0)
                            return Fail($"Bad port '{value}'\n");
                        commandLine.Add("Port=" + value);
                        break;
                    case 'l': commandLine.Add("User " + Quote(value!)); break;
                    case 'i':
                        var identity = ExpandTilde(value!);
                        if (File.Exists(identity) || Directory.Exists(identity))
                            commandLine.Add("IdentityFile " + Quote(identity));
                        else
                            Console.Error.Write($"Warning: Identity file {identity} not accessible: No such file or directory.\n");
                        break;
                    case 'J': commandLine.Add("ProxyJump " + value); break;
                    case 'c': commandLine.Add("Ciphers " + Quote(value!)); break;
                    case 'm': commandLine.Add("MACs " + Quote(value!)); break;
                    case 'e': commandLine.Add("EscapeChar " + Quote(value!)); break;
                    case 'b': commandLine.Add("BindAddress " + Quote(value!)); break;
                    case 'B': commandLine.Add("BindInterface " + Quote(value!)); break;
                    case 'S': commandLine.Add("ControlPath " + Quote(value!)); break;
                    case 'I': commandLine.Add("PKCS11Provider " + Quote(value!)); break;
                    case 'D': commandLine.Add("DynamicForward " + Quote(value!)); break;
                    case 'L': commandLine.Add("LocalForward " + SplitForward(value!)); break;
                    case 'R': commandLine.Add("RemoteForward " + SplitForward(value!)); break;
                    case 'w': commandLine.Add("Tunnel yes"); commandLine.Add("TunnelDevice " + Quote(value!)); break;
                    case 'W': stdio = true; commandLine.Add("RequestTTY no"); commandLine.Add("SessionType none"); break;
                    case '4': commandLine.Add("AddressFamily inet"); break;
                    case '6': commandLine.Add("AddressFamily inet6"); break;
                    case 'A': commandLine.Add("ForwardAgent yes"); break;
                    case 'a': commandLine.Add("ForwardAgent no"); break;
                    case 'X': commandLine.Add("ForwardX11 yes"); break;
                    case 'x': commandLine.Add("ForwardX11 no"); break;
                    case 'Y': commandLine.Add("ForwardX11 yes"); commandLine.Add("ForwardX11Trusted yes"); break;
                    case 'C': commandLine.Add("Compression yes"); break;
                    case 'g': commandLine.Add("GatewayPorts yes"); break;
                    case 'n': commandLine.Add("StdinNull yes"); break;
                    case 'f': commandLine.Add("ForkAfterAuthentication yes"); commandLine.Add("StdinNull yes"); break;
                    case 'N': commandLine.Add("SessionType none"); commandLine.Add("RequestTTY no"); break;
                    case 's': commandLine.Add("SessionType subsystem"); break;
                    case 'T': commandLine.Add("RequestTTY no"); break;
                    case 't': commandLine.Add("RequestTTY yes"); break;
                    case 'M': commandLine.Add("ControlMaster yes"); break;
                    case 'q': commandLine.Add("LogLevel QUIET"); break;
                    case 'v': verbosity++; break;
                    case 'K': commandLine.Add("GSSAPIAuthentication yes"); commandLine.Add("GSSAPIDelegateCredentials yes"); break;
                    case 'k': commandLine.Add("GSSAPIDelegateCredentials no"); break;
                }
            }
            if (verbosity > 0)
                commandLine.Insert(0, "LogLevel " + (verbosity switch { 1 => "DEBUG1", 2 => "DEBUG2", _ => "DEBUG3" }));

            var host = Destination(args, out var hasCommand);
            if (host is null)
                return Fail(SshCommandLine.Usage);
            var config = SshConfig.Resolve(host, new SshConfigResolveOptions
            {
                ConfigFile = configFile,
                CommandLineOptions = commandLine,
                StdioForwarding = stdio,
                HasRemoteCommand = hasCommand,
            });
            var stderr = new StringBuilder();
            if (verbosity > 0)
                stderr.Append($"Lucid_{typeof(SshConfigDump).Assembly.GetName().Version?.ToString(3)}, OpenSSH-compatible\r\n");
            var ttyNotice = TtyNotice(config, hasCommand);
            foreach (var (level, text) in config.Log)
            {
                // ssh prints its tty notice after reading configuration and before expanding paths.
                if (ttyNotice is not null && (text.StartsWith("Cannot forward agent socket path", StringComparison.Ordinal)
                    || text.StartsWith("expanded ", StringComparison.Ordinal)))
                {
                    stderr.Append(ttyNotice).Append("\r\n");
                    ttyNotice = null;
                }
                AppendMessage(stderr, level, text, verbosity);
            }
            if (ttyNotice is not null)
                stderr.Append(ttyNotice).Append("\r\n");
            Console.Error.Write(stderr.ToString());
            Console.Out.Write(config.FormatLikeSshG());
            Console.Out.Flush();
            return 0;
        }
        catch (SshConfigException e)
        {
            var stderr = new StringBuilder();
            if (verbosity > 0)
                stderr.Append($"Lucid_{typeof(SshConfigDump).Assembly.GetName().Version?.ToString(3)}, OpenSSH-compatible\r\n");
            foreach (var (level, text) in e.Log)
                AppendMessage(stderr, level, text, verbosity);
            Console.Error.Write(stderr.ToString());
            return e.ExitCode;
        }
    }

    private static void AppendMessage(StringBuilder stderr, int level, string text, int verbosity)
    {
        if (level == 0)
            stderr.Append(text).Append("\r\n");
        else if (level <= verbosity)
            stderr.Append("debug").Append(level).Append(": ").Append(text).Append("\r\n");
    }

    private static int Fail(string text)
    {
        Console.Error.Write(text);
        return 255;
    }

    /// <summary>ssh's "Pseudo-terminal will not be allocated" notice, which it prints even with -G.</summary>
    private static string? TtyNotice(EffectiveSshConfig c, bool hasCommand)
    {
        var tty = c.RequestTty is SshRequestTty.Yes or SshRequestTty.Force;
        if (!hasCommand && c.RemoteCommand is null)
            tty = c.RequestTty != SshRequestTty.No;
        if (c.RequestTty == SshRequestTty.No || c.SessionType == "none")
            tty = false;
        var quiet = c.LogLevel is "SILENT" or "FATAL" or "ERROR";
        if ((!Terminal.IsTerminal(0) || c.StdinNull) && c.RequestTty != SshRequestTty.Force && tty && !quiet)
            return "Pseudo-terminal will not be allocated because stdin is not a terminal.";
        return null;
    }

    private static void AddDestination(List<string> commandLine, string destination)
    {
        var (user, _, port) = ParseDestination(destination);
        if (user is not null)
            commandLine.Add("User " + Quote(user));
        if (port > 0)
            commandLine.Add("Port=" + port.ToString(CultureInfo.InvariantCulture));
    }

    private static string? Destination(string[] args, out bool hasCommand)
    {
        Options(args, out var dest, out hasCommand);
        return dest is null ? null : ParseDestination(dest).Host;
    }

    private static (string? User, string Host, int Port) ParseDestination(string destination)
    {
        if (destination.StartsWith("ssh://", StringComparison.Ordinal))
        {
            var rest = destination[6..].TrimEnd('/');
            string? user = null;
            var at = rest.IndexOf('@');
            if (at >= 0)
            {
                user = Uri.UnescapeDataString(rest[..at].Split(';')[0]);
                rest = rest[(at + 1)..];
            }
            var port = -1;
            var host = rest;
            if (rest.StartsWith('[') && rest.IndexOf(']') is var close and > 0)
            {
                host = rest[1..close];
                if (rest.Length > close + 2 && rest[close + 1] == ':')
                    port = SshConfigForwardPort(rest[(close + 2)..]);
            }
            else if (rest.IndexOf(':') is var colon and >= 0)
            {
                host = rest[..colon];
                port = SshConfigForwardPort(rest[(colon + 1)..]);
            }
            return (user, host, port);
        }
        var sign = destination.LastIndexOf('@');
        return sign > 0 ? (destination[..sign], destination[(sign + 1)..], -1) : (null, destination, -1);
    }

    private static int SshConfigForwardPort(string s) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535 ? p : -1;

    /// <summary>Walks argv as OpenSSH's getopt loop does: options, the destination (letter '\0'), options again, command.</summary>
    private static IEnumerable<(char Letter, string? Value)> Options(string[] args, out string? destination, out bool hasCommand)
    {
        var result = new List<(char, string?)>();
        destination = null;
        hasCommand = false;
        var i = 0;
        var terminated = false;
        for (var round = 0; round < 2; round++)
        {
            while (i < args.Length && !terminated)
            {
                var arg = args[i];
                if (arg == "--")
                {
                    terminated = true;
                    i++;
                    break;
                }
                if (arg.Length < 2 || arg[0] != '-')
                    break;
                i++;
                for (var j = 1; j < arg.Length; j++)
                {
                    var letter = arg[j];
                    if (WithArgument.Contains(letter))
                    {
                        var value = j + 1 < arg.Length ? arg[(j + 1)..] : i < args.Length ? args[i++] : null;
                        result.Add((letter, value ?? ""));
                        break;
                    }
                    result.Add((letter, null));
                }
            }
            if (round == 1 || destination is not null || i >= args.Length)
                break;
            destination = args[i++];
            result.Add(('\0', destination));
        }
        hasCommand = i < args.Length;
        return result;
    }

    /// <summary>Quotes a value so ssh_config's argument splitting gives it back unchanged.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string ExpandTilde(string path)
    {
        if (!path.StartsWith('~'))
            return path;
        var home = SshConfigLocalUser.Current.HomeDirectory;
        return path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? home.TrimEnd('/') + path[1..] : path;
    }

    /// <summary>-L/-R take one "a:b:c" spec where the config keywords take "a" and "b:c"; split at the first
    /// colon outside brackets (a spec without one stays a single, dynamic, argument).</summary>
    private static string SplitForward(string spec)
    {
        var depth = 0;
        for (var i = 0; i < spec.Length; i++)
        {
            if (spec[i] == '[') depth++;
            else if (spec[i] == ']') depth--;
            else if (spec[i] == ':' && depth == 0)
                return Quote(spec[..i]) + " " + Quote(spec[(i + 1)..]);
        }
        return Quote(spec);
    }
}
