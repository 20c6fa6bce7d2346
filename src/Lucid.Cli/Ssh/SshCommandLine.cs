using System.Globalization;
using Lucid.Ssh.Crypto;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Parses ssh's command line as OpenSSH's getopt loop does: options, then the destination, then (after one more
/// round of options) the remote command. Flags with a configuration equivalent become ssh_config lines in argv
/// order (-p 2222 is "Port=2222"), so that the first value obtained wins exactly as in ssh; the few flags ssh
/// assigns outright whatever came before (-t, -T, -N, -W, -q, -v, -C, -c, -m, -e, -4, -6) are put in front.
/// Mistakes become <see cref="SshUsageException"/> with OpenSSH's wording.
/// </summary>
internal static class SshCommandLine
{
    private const string WithArgument = "bceilmopBDEFIJLOPQRSwW";
    private const string NoArgument = "1246afgknqstvxyACGKMNTVXY";

    /// <summary>Letters whose feature Lucid does not have yet: refused when connecting (accepted by -G).</summary>
    private const string NotYet = "BIOSwfMsXY";

    public const string Usage =
        "usage: lucid ssh [-46CGNnqTtVv] [-b bind_address] [-c cipher_spec] [-E log_file]\n" +
        "           [-e escape_char] [-F configfile] [-i identity_file] [-J destination]\n" +
        "           [-l login_name] [-m mac_spec] [-o option] [-p port] [-Q query_option]\n" +
        "           [-W host:port] destination [command [argument ...]]\n";

    public static SshInvocation Parse(IReadOnlyList<string> args)
    {
        var result = new SshInvocation();
        var direct = new DirectAssignments();
        var i = 0;
        var terminated = false;

        // Round one: options before the destination; round two: options between destination and command.
        for (var round = 0; round < 2; round++)
        {
            while (i < args.Count && !terminated)
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
                        string value;
                        if (j + 1 < arg.Length)
                            value = arg[(j + 1)..];
                        else if (i < args.Count)
                            value = args[i++];
                        else
                            throw new SshUsageException($"option requires an argument -- {letter}\r\n" + Usage);
                        WithValue(result, direct, letter, value);
                        break;
                    }
                    if (!NoArgument.Contains(letter))
                        throw new SshUsageException($"unknown option -- {letter}\r\n" + Usage);
                    Flag(result, direct, letter);
                }
            }
            if (round == 1 || result.Host is not null || i >= args.Count || result.Query is not null || result.Version)
                break;
            SetDestination(result, args[i++]);
        }

        if (result.Host is null && i < args.Count && result.Query is null && !result.Version)
            SetDestination(result, args[i++]);
        for (; i < args.Count; i++)
            result.Command.Add(args[i]);
        if (result.Host is null && result.Query is null && !result.Version)
            throw new SshUsageException(Usage);
        if (direct.SessionType == "subsystem" && result.Command.Count == 0 && result.Query is null && !result.Version)
            throw new SshUsageException("You must specify a subsystem to invoke.\n" + Usage);
        result.ConfigLines.InsertRange(0, direct.Lines());
        result.CommandLineLogLevel = direct.LogLevel is { } level ? LogLevels.Parse(level) ?? LogLevel.Info : LogLevel.Info;
        return result;
    }

    private static void Flag(SshInvocation result, DirectAssignments direct, char letter)
    {
        if (NotYet.Contains(letter))
            result.NotYet.Add(letter);
        var lines = result.ConfigLines;
        switch (letter)
        {
            case 't':
                // ssh: a second -t (or -t after RequestTTY yes from -t) forces a terminal even without a local one.
                direct.RequestTty = direct.RequestTty == "yes" ? "force" : "yes";
                break;
            case 'T':
                direct.RequestTty = "no";
                break;
            case 'N':
                direct.SessionType = "none";
                direct.RequestTty = "no";
                break;
            case 's':
                direct.SessionType = "subsystem";
                break;
            case 'q':
                direct.LogLevel = "QUIET";
                break;
            case 'v':
                // As ssh: the first -v sets DEBUG1 whatever came before, each further one a step more.
                if (result.Verbosity++ == 0)
                    direct.LogLevel = "DEBUG1";
                else if (direct.LogLevel is { } level && LogLevels.Parse(level) is { } parsed && parsed < LogLevel.Debug3)
                    direct.LogLevel = (parsed + 1).ToString().ToUpperInvariant();
                break;
            case 'C': direct.Compression = "yes"; break;
            case '4': direct.AddressFamily = "inet"; break;
            case '6': direct.AddressFamily = "inet6"; break;
            case 'G': result.PrintConfig = true; break;
            case 'V': result.Version = true; break;
            case 'A': lines.Add("ForwardAgent yes"); break;
            case 'a': lines.Add("ForwardAgent no"); break;
            case 'X': lines.Add("ForwardX11 yes"); break;
            case 'x': lines.Add("ForwardX11 no"); break;
            case 'Y': lines.Add("ForwardX11 yes"); lines.Add("ForwardX11Trusted yes"); break;
            case 'g': lines.Add("GatewayPorts yes"); break;
            case 'n': lines.Add("StdinNull yes"); break;
            case 'f': lines.Add("ForkAfterAuthentication yes"); lines.Add("StdinNull yes"); break;
            case 'M': lines.Add("ControlMaster yes"); break;
            case 'K': lines.Add("GSSAPIAuthentication yes"); lines.Add("GSSAPIDelegateCredentials yes"); break;
            case 'k': lines.Add("GSSAPIDelegateCredentials no"); break;
            case '1' or '2' or 'y':
                break; // accepted for compatibility; nothing to do
        }
    }

    private static void WithValue(SshInvocation result, DirectAssignments direct, char letter, string value)
    {
        if (NotYet.Contains(letter))
            result.NotYet.Add(letter);
        var lines = result.ConfigLines;
        switch (letter)
        {
            case 'o':
                lines.Add(value);
                break;
            case 'F':
                result.ConfigFile = value;
                break;
            case 'E':
                result.LogFile = value;
                break;
            case 'Q':
                result.Query = value;
                break;
            case 'p':
                if (ParsePort(value) <= 0)
                    throw new SshUsageException($"Bad port '{value}'\n");
                lines.Add("Port=" + value);
                break;
            case 'l':
                lines.Add("User " + Quote(value));
                break;
            case 'i':
                // ssh checks -i files as it reads them and leaves out the ones it cannot use.
                var identity = SshPaths.Expand(value);
                if (File.Exists(identity) || Directory.Exists(identity))
                    lines.Add("IdentityFile " + Quote(identity));
                else
                    SshLog.Raw($"Warning: Identity file {identity} not accessible: No such file or directory.\n");
                break;
            case 'J':
                lines.Add("ProxyJump " + value);
                break;
            case 'c':
                if (!SshAlgorithms.IsValidSpec(AlgorithmCategory.Cipher, value))
                    throw new SshUsageException($"Unknown cipher type '{value}'\n");
                direct.Ciphers = value;
                break;
            case 'm':
                if (!SshAlgorithms.IsValidSpec(AlgorithmCategory.Mac, value))
                    throw new SshUsageException($"Unknown mac type '{value}'\n");
                direct.Macs = value;
                break;
            case 'e':
                if (EscapeChars.Parse(value) is null)
                    throw new SshUsageException($"Bad escape character '{value}'.\n");
                direct.EscapeChar = value;
                break;
            case 'W':
                SetStdioForward(result, value);
                direct.RequestTty = "no";
                direct.SessionType = "none";
                break;
            case 'b': lines.Add("BindAddress " + Quote(value)); break;
            case 'B': lines.Add("BindInterface " + Quote(value)); break;
            case 'S': lines.Add("ControlPath " + Quote(value)); break;
            case 'I': lines.Add("PKCS11Provider " + Quote(value)); break;
            case 'D': lines.Add("DynamicForward " + Quote(value)); break;
            case 'L': lines.Add("LocalForward " + SplitForward(value)); break;
            case 'R': lines.Add("RemoteForward " + SplitForward(value)); break;
            case 'P':
                // ssh keeps the first -P.
                direct.Tag ??= value;
                break;
            case 'w': lines.Add("Tunnel yes"); lines.Add("TunnelDevice " + Quote(value)); break;
        }
    }

    /// <summary>-W host:port ([v6]:port too), checked when given as ssh does.</summary>
    private static void SetStdioForward(SshInvocation result, string value)
    {
        if (result.StdioForwardHost is not null)
            throw new SshUsageException("stdio forward already specified\r\n");
        var colon = value.LastIndexOf(':');
        var port = colon > 0 ? ParsePort(value[(colon + 1)..]) : -1;
        var host = colon > 0 ? value[..colon] : "";
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (port <= 0 || host.Length == 0)
            throw new SshUsageException($"Bad stdio forwarding specification '{value}'\n");
        result.StdioForwardHost = host;
        result.StdioForwardPort = port;
    }

    /// <summary>The destination: user@host or ssh://[user@]host[:port]; user and port become config lines at this point.</summary>
    private static void SetDestination(SshInvocation result, string destination)
    {
        string? user = null;
        var port = -1;
        string host;
        if (destination.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = destination[6..].TrimEnd('/');
            var at = rest.IndexOf('@');
            if (at >= 0)
            {
                user = Uri.UnescapeDataString(rest[..at].Split(';')[0]);
                rest = rest[(at + 1)..];
            }
            host = rest;
            if (rest.StartsWith('['))
            {
                var close = rest.IndexOf(']');
                if (close < 0)
                    throw new SshUsageException(Usage);
                host = rest[1..close];
                if (rest.Length > close + 1 && rest[close + 1] == ':')
                    port = ParsePort(rest[(close + 2)..]) is var p and > 0 ? p : throw new SshUsageException(Usage);
            }
            else if (rest.IndexOf(':') is var colon and >= 0)
            {
                host = rest[..colon];
                port = ParsePort(rest[(colon + 1)..]) is var p and > 0 ? p : throw new SshUsageException(Usage);
            }
        }
        else
        {
            var sign = destination.LastIndexOf('@');
            if (sign == 0)
                throw new SshUsageException(Usage);
            if (sign > 0)
                user = destination[..sign];
            host = sign > 0 ? destination[(sign + 1)..] : destination;
        }
        if (host.Length == 0)
            throw new SshUsageException(Usage);
        if (user is not null)
            result.ConfigLines.Add("User " + Quote(user));
        if (port > 0)
            result.ConfigLines.Add("Port=" + port.ToString(CultureInfo.InvariantCulture));
        result.Host = host;
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535 ? p : -1;

    /// <summary>Quotes a value so ssh_config's argument splitting gives it back unchanged.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

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

    /// <summary>The settings ssh's getopt loop assigns outright: the last flag wins over every earlier flag and -o,
    /// and the value then stands before any configuration (so it also wins over later -o).</summary>
    private sealed class DirectAssignments
    {
        public string? RequestTty, SessionType, LogLevel, Compression, Ciphers, Macs, EscapeChar, AddressFamily, Tag;

        public IEnumerable<string> Lines()
        {
            if (LogLevel is not null) yield return "LogLevel " + LogLevel;
            if (RequestTty is not null) yield return "RequestTTY " + RequestTty;
            if (SessionType is not null) yield return "SessionType " + SessionType;
            if (Compression is not null) yield return "Compression " + Compression;
            if (Ciphers is not null) yield return "Ciphers " + Quote(Ciphers);
            if (Macs is not null) yield return "MACs " + Quote(Macs);
            if (EscapeChar is not null) yield return "EscapeChar " + Quote(EscapeChar);
            if (AddressFamily is not null) yield return "AddressFamily " + AddressFamily;
            if (Tag is not null) yield return "Tag " + Quote(Tag);
        }
    }
}
