using System.Globalization;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Parses ssh's command line as OpenSSH does: options, then the destination, then (after one more round
/// of options) the remote command. Mistakes become <see cref="SshUsageException"/> with OpenSSH's wording.
/// </summary>
internal static class SshCommandLine
{
    // Option letters that take an argument, and the ones OpenSSH has that Lucid does not do yet.
    private const string WithArgument = "bcDeEFIiJLlmOopQRSWwBP";
    private const string NoArgument = "1246AaCfGgKkMNnqsTtVvXxYy";
    private const string NotYet = "bDIJLORSWwBPAfGgMsXY";

    public const string Usage =
        "usage: lucid ssh [-46CNnqTtv] [-c cipher_spec] [-E log_file] [-e escape_char]\n" +
        "           [-F configfile] [-i identity_file] [-l login_name] [-m mac_spec]\n" +
        "           [-o option] [-p port] [-Q query_option]\n" +
        "           destination [command [argument ...]]\n";

    /// <summary>What the command line asked for: a connection (Options) or a query (-Q) or the version (-V).</summary>
    public sealed record Result(SshOptions Options, string? Query, bool Version);

    public static Result Parse(IReadOnlyList<string> args)
    {
        var options = new SshOptions();
        string? query = null;
        var version = false;
        var i = 0;
        var terminated = false;

        // Round one: options before the destination; round two: options between destination and command.
        for (var round = 0; round < 2; round++)
        {
            while (i < args.Count)
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
                        ApplyWithArgument(options, letter, value, ref query);
                        break;
                    }
                    if (!NoArgument.Contains(letter))
                        throw new SshUsageException($"unknown option -- {letter}\r\n" + Usage);
                    version |= letter == 'V';
                    ApplyFlag(options, letter);
                }
            }
            if (round == 1 || options.Host is not null || i >= args.Count)
                break;
            if (query is not null || version)
                break;
            SetDestination(options, args[i++]);
            if (terminated)
                break;
        }

        if (options.Host is null && i < args.Count && query is null && !version)
            SetDestination(options, args[i++]);
        for (; i < args.Count; i++)
            options.Command.Add(args[i]);
        if (options.Host is null && query is null && !version)
            throw new SshUsageException(Usage);
        return new Result(options, query, version);
    }

    private static void SetDestination(SshOptions options, string destination)
    {
        if (destination.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = destination[6..].TrimEnd('/');
            var at = rest.LastIndexOf('@');
            if (at >= 0)
            {
                options.SetUser(Uri.UnescapeDataString(rest[..at]));
                rest = rest[(at + 1)..];
            }
            string host = rest;
            if (rest.StartsWith('['))
            {
                var close = rest.IndexOf(']');
                if (close < 0)
                    throw new SshUsageException(Usage);
                host = rest[1..close];
                rest = rest[(close + 1)..];
                if (rest.StartsWith(':'))
                    options.SetPort(ParseUriPort(rest[1..]));
            }
            else if (rest.IndexOf(':') is var colon and >= 0)
            {
                host = rest[..colon];
                options.SetPort(ParseUriPort(rest[(colon + 1)..]));
            }
            if (host.Length == 0)
                throw new SshUsageException(Usage);
            options.Host = host;
            return;
        }
        var sign = destination.LastIndexOf('@');
        if (sign == 0)
            throw new SshUsageException(Usage);
        if (sign > 0)
        {
            options.SetUser(destination[..sign]);
            destination = destination[(sign + 1)..];
        }
        options.Host = destination;
    }

    private static int ParseUriPort(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
            throw new SshUsageException(Usage);
        return port;
    }

    private static void ApplyFlag(SshOptions options, char letter)
    {
        switch (letter)
        {
            case 't':
                options.ForceTtyCount++;
                break;
            case 'T':
                options.DisableTty = true;
                break;
            case 'N':
                options.NoCommand = true;
                break;
            case 'n':
                options.StdinNull = true;
                break;
            case 'q':
                options.Quiet = true;
                break;
            case 'v':
                options.Verbosity++;
                break;
            case 'C':
                options.SetCompression(true);
                break;
            case 'V':
                break;
            case '1' or '2' or '4' or '6' or 'a' or 'x' or 'k' or 'K' or 'y':
                break; // accepted for compatibility; nothing to do (or the default already)
            default:
                if (NotYet.Contains(letter))
                    throw new SshUsageException($"lucid ssh: -{letter} is not supported yet\n");
                throw new SshUsageException($"unknown option -- {letter}\r\n" + Usage);
        }
    }

    private static void ApplyWithArgument(SshOptions options, char letter, string value, ref string? query)
    {
        switch (letter)
        {
            case 'p':
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
                    throw new SshUsageException($"Bad port '{value}'\n");
                options.SetPort(port);
                break;
            case 'l':
                options.SetUser(value);
                break;
            case 'i':
                options.IdentityFiles.Add(value);
                break;
            case 'o':
                ApplyOption(options, value);
                break;
            case 'c':
                if (!SshAlgorithms.IsValidSpec(Lucid.Ssh.Crypto.AlgorithmCategory.Cipher, value))
                    throw new SshUsageException($"Unknown cipher type '{value}'\n");
                options.SetCiphers(value);
                break;
            case 'm':
                if (!SshAlgorithms.IsValidSpec(Lucid.Ssh.Crypto.AlgorithmCategory.Mac, value))
                    throw new SshUsageException($"Unknown mac type '{value}'\n");
                options.SetMacs(value);
                break;
            case 'e':
                options.SetEscapeChar(EscapeChars.Parse(value) ?? throw new SshUsageException($"Bad escape character '{value}'.\n"));
                break;
            case 'F':
                options.ConfigFile ??= value;
                break;
            case 'E':
                options.LogFile ??= value;
                break;
            case 'Q':
                query = value;
                break;
            case 'W':
                options.StdioForward = value;
                break;
            case 'J':
                options.SetProxyJump(value);
                break;
            default:
                if (NotYet.Contains(letter))
                    throw new SshUsageException($"lucid ssh: -{letter} is not supported yet\n");
                throw new SshUsageException($"unknown option -- {letter}\r\n" + Usage);
        }
    }

    /// <summary>One -o argument: "Keyword=value", "Keyword value" or "Keyword = value".</summary>
    public static void ApplyOption(SshOptions options, string text)
    {
        var (keyword, value) = SplitKeyword(text);
        if (keyword.Length == 0)
            return;
        options.Apply(keyword, value, "command-line", 0);
    }

    public static (string Keyword, string Value) SplitKeyword(string text)
    {
        text = text.Trim();
        var end = text.IndexOfAny([' ', '\t', '=']);
        if (end < 0)
            return (text, "");
        var keyword = text[..end];
        var rest = text[end..].TrimStart(' ', '\t');
        if (rest.StartsWith('='))
            rest = rest[1..].TrimStart(' ', '\t');
        if (rest.Length >= 2 && rest[0] == '"' && rest[^1] == '"')
            rest = rest[1..^1];
        return (keyword, rest);
    }
}
