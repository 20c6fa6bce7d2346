using System.Globalization;
using static Lucid.Ssh.OpenSsh.SshdKeywordKind;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Checks one line's arguments and stores them (process_server_config_line_depth's cases), with sshd's
/// messages. Returns an error line for problems sshd counts ("terminating, N bad configuration options"),
/// throws <see cref="SshdConfigException"/> for the ones where sshd stops at once.
/// </summary>
internal static class SshdConfigValues
{
    private static readonly string[] LogLevels = ["QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3"];
    private static readonly string[] Facilities = ["DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7"];
    internal static readonly (string Name, int Value)[] IpQos =
    [
        ("af11", 0x28), ("af12", 0x30), ("af13", 0x38), ("af21", 0x48), ("af22", 0x50), ("af23", 0x58),
        ("af31", 0x68), ("af32", 0x70), ("af33", 0x78), ("af41", 0x88), ("af42", 0x90), ("af43", 0x98),
        ("cs0", 0x00), ("cs1", 0x20), ("cs2", 0x40), ("cs3", 0x60), ("cs4", 0x80), ("cs5", 0xa0), ("cs6", 0xc0),
        ("cs7", 0xe0), ("ef", 0xb8), ("le", 0x04), ("lowdelay", 0x10), ("throughput", 0x08), ("reliability", 0x04),
    ];
    private static readonly string[] AuthMethods = ["none", "password", "publickey", "keyboard-interactive", "hostbased", "gssapi-with-mic"];

    public static string? Apply(SshdConfigLineContext c, Action<string>? log)
    {
        var args = new Queue<string>(c.Args);
        var file = c.File;
        var line = c.Line;
        var keyword = c.Keyword;
        var name = c.Definition.Canonical;
        var store = c.Store;
        string Fatal(string message) => throw new SshdConfigException($"{file} line {line}: {message}");
        string? Next() => args.Count > 0 ? args.Dequeue() : null;

        // OpenSSH 10 reports a keyword given nothing with one message (and goes on to count it); the keywords it
        // added are read as 10 reads them.
        if (args.Count == 0 && name is "persourcepenalties" or "persourcepenaltyexemptlist" or "refuseconnection")
            return $"{file} line {line}: no argument after keyword \"{keyword}\"";
        switch (c.Definition.Kind)
        {
            case Flag:
            case Choice:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing argument.");
                var value = SshdConfigKeywords.Choose(c.Definition.Choices!, arg!) ?? Fatal($"unsupported option \"{arg}\".");
                if (c.Active) store.SetFirst(name, value);
                break;
            }
            case Int:
            {
                var arg = Next();
                var value = ParseInt(arg, out var why);
                if (why is not null)
                    Fatal($"{keyword} integer value {why}.");
                if (c.Active) store.SetFirst(name, Invariant(value));
                break;
            }
            case Time:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing time value.");
                var seconds = ParseTime(arg!);
                if (seconds < 0)
                    Fatal("invalid time value.");
                if (c.Active) store.SetFirst(name, Invariant(seconds));
                break;
            }
            case UnusedConnectionTimeout:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing time value.");
                var seconds = arg!.Equals("none", StringComparison.OrdinalIgnoreCase) ? 0 : ParseTime(arg);
                if (seconds < 0)
                    Fatal("invalid time value.");
                if (c.Active) store.SetFirst(name, Invariant(seconds));
                break;
            }
            case Port:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing port number.");
                var port = ParsePort(arg!);
                if (port <= 0)
                    Fatal("Badly formatted port number.");
                // Ports given with -p replace the file's (sshd ignores Port lines then).
                if (!store.IsSet("port-from-cmdline")) store.Append(name, Invariant(port));
                break;
            }
            case ListenAddress:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing address");
                if (SshdListenAddress.Parse(arg!) is null)
                    Fatal("bad address:port usage");
                if (Next() is { } extra)
                {
                    if (extra != "rdomain" || Next() is null)
                        Fatal("bad ListenAddress syntax");
                }
                store.Append(name, arg!);
                break;
            }
            case HostKey:
            case HostCertificate:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing file name.");
                if (c.Active) store.Append(name, Derelativise(arg!));
                break;
            }
            case Filename:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing file name.");
                if (c.Active) store.SetFirst(name, Derelativise(arg!));
                break;
            }
            case Word:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal(name is "hostkeyagent" ? "missing socket name." : name.EndsWith("user", StringComparison.Ordinal)
                        ? $"missing {keyword} argument." : $"{keyword} missing argument.");
                var value = name switch
                {
                    "authorizedprincipalsfile" => TildeExpand(arg!),
                    "hostkeyagent" when arg != "SSH_AUTH_SOCK" => Derelativise(arg!),
                    "securitykeyprovider" when !arg!.Equals("internal", StringComparison.OrdinalIgnoreCase) => Derelativise(arg),
                    _ => arg!,
                };
                if (c.Active) store.SetFirst(name, value);
                break;
            }
            case RestOfLine:
            {
                var rest = c.Rest.TrimStart(' ', '\t');
                if (rest.Length == 0)
                    Fatal($"{keyword} missing argument.");
                if (name is "authorizedkeyscommand" or "authorizedprincipalscommand" && !rest.StartsWith('/') &&
                    !rest.Equals("none", StringComparison.OrdinalIgnoreCase))
                    throw new SshdConfigException($"{file} line {line}: {keyword} must be an absolute path");
                if (name == "versionaddendum")
                {
                    var hash = rest.IndexOf('#');
                    if (hash >= 0) rest = rest[..hash].TrimEnd();
                    if (rest.Equals("none", StringComparison.OrdinalIgnoreCase)) rest = "";
                }
                if (c.Active) store.SetFirst(name, rest);
                args.Clear();
                break;
            }
            case Algorithms:
            {
                var arg = Next();
                var category = CategoryOf(name);
                if (string.IsNullOrEmpty(arg))
                    Fatal(category is SshdConfigAlgorithms.Category.Key or SshdConfigAlgorithms.Category.Signature
                        ? "Missing argument." : $"{keyword} missing argument.");
                if (!SshdConfigAlgorithms.IsValid(category, arg!, category == SshdConfigAlgorithms.Category.Kex ? log : null))
                    Fatal(name switch
                    {
                        "ciphers" => $"Bad SSH2 cipher spec '{arg}'.",
                        "macs" => $"Bad SSH2 mac spec '{arg}'.",
                        "kexalgorithms" => $"Bad SSH2 KexAlgorithms '{arg}'.",
                        _ => $"Bad key types '{arg}'.",
                    });
                // Ciphers, MACs and KexAlgorithms are global-only and sshd sets them even from an
                // inactive block; the others follow the usual rule.
                if (c.Active || !c.Definition.InMatch) store.SetFirst(name, arg!);
                break;
            }
            case UserPatterns:
                while (Next() is { } arg)
                {
                    if (arg.Length == 0 || SshdConfigPatterns.MatchUser(null, null, null, arg) == -1)
                        Fatal($"invalid {keyword} pattern: \"{arg}\"");
                    if (c.Active) store.Append(name, arg);
                }
                break;
            case GroupPatterns:
                while (Next() is { } arg)
                {
                    if (arg.Length == 0)
                        Fatal($"empty {keyword} pattern");
                    if (c.Active) store.Append(name, arg);
                }
                break;
            case AuthorizedKeysFiles:
            {
                var first = !store.IsSet(name);
                var values = new List<string>();
                while (Next() is { } arg)
                {
                    if (arg.Length == 0)
                        return $"{file} line {line}: keyword {keyword} empty argument";
                    values.Add(TildeExpand(arg));
                }
                if (c.Active && first) store.Append(name, values);
                break;
            }
            case AcceptEnv:
                while (Next() is { } arg)
                {
                    if (arg.Length == 0 || arg.Contains('='))
                        Fatal("Invalid environment name.");
                    if (c.Active) store.Append(name, arg);
                }
                break;
            case SetEnv:
            {
                var first = !store.IsSet(name);
                var values = new List<string>();
                while (Next() is { } arg)
                {
                    if (arg.Length == 0 || !arg.Contains('='))
                        Fatal("Invalid environment.");
                    var variable = arg[..(arg.IndexOf('=') + 1)];
                    if (!values.Any(v => v.StartsWith(variable, StringComparison.Ordinal)))
                        values.Add(arg);
                }
                if (c.Active && first) store.Append(name, values);
                break;
            }
            case Subsystem:
            {
                var sub = Next();
                if (string.IsNullOrEmpty(sub))
                    Fatal($"{keyword} missing argument.");
                if (!c.Active)
                {
                    args.Clear();
                    break;
                }
                if (store.Get(name)?.Any(s => s.Split(' ', 2)[0] == sub) == true)
                    Fatal($"Subsystem '{sub}' already defined.");
                var command = Next();
                if (string.IsNullOrEmpty(command))
                    Fatal("Missing subsystem command.");
                var full = string.Join(' ', new[] { command! }.Concat(args));
                args.Clear();
                store.Append(name, $"{sub} {full}");
                break;
            }
            case MaxStartups:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                var parts = arg!.Split(':');
                var nums = parts.Select(p => int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : (int?)null).ToArray();
                int begin, rate, full;
                if (parts.Length == 3 && nums.All(n => n is not null))
                {
                    (begin, rate, full) = (nums[0]!.Value, nums[1]!.Value, nums[2]!.Value);
                    if (begin > full || rate > 100 || rate < 1)
                        Fatal($"Invalid {keyword} spec.");
                }
                else if (parts.Length == 1 && nums[0] is not null)
                {
                    begin = full = nums[0]!.Value;
                    rate = 30;
                }
                else
                    return Fatal($"Invalid {keyword} spec.");
                if (full <= 0 || begin <= 0)
                    Fatal($"Invalid {keyword} spec.");
                // MaxStartups is a last-value-wins keyword in sshd.
                store.Replace(name, $"{begin}:{rate}:{full}");
                break;
            }
            case PerSourceMaxStartups:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                string value;
                if (arg == "none")
                    value = "none";
                else
                {
                    var v = ParseInt(arg, out var why);
                    if (why is not null)
                        Fatal($"{keyword} integer value {why}.");
                    value = Invariant(v);
                }
                if (c.Active) store.Replace(name, value);
                break;
            }
            case PerSourceNetBlockSize:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                var parts = arg!.Split(':');
                var ok = parts.Length is 1 or 2 && int.TryParse(parts[0], out var v4) && v4 is >= 0 and <= 32;
                var v6 = 128;
                if (ok && parts.Length == 2)
                    ok = int.TryParse(parts[1], out v6) && v6 is >= 0 and <= 128;
                if (!ok)
                    Fatal($"Invalid {keyword} spec.");
                if (c.Active) store.Replace(name, $"{parts[0]}:{v6}");
                break;
            }
            case LogLevel:
            {
                var arg = Next();
                var level = Array.Find(LogLevels, l => l.Equals(arg, StringComparison.OrdinalIgnoreCase));
                if (level is null)
                    throw new SshdConfigException($"{file} line {line}: unsupported log level '{arg ?? "<NONE>"}'");
                if (c.Active) store.SetFirst(name, level == "DEBUG1" ? "DEBUG" : level);
                break;
            }
            case LogFacility:
            {
                var arg = Next();
                var facility = Array.Find(Facilities, f => f.Equals(arg, StringComparison.OrdinalIgnoreCase));
                if (facility is null)
                    throw new SshdConfigException($"{file} line {line}: unsupported log facility '{arg ?? "<NONE>"}'");
                store.SetFirst(name, facility);
                break;
            }
            case AuthenticationMethods:
            {
                var first = !store.IsSet(name);
                bool sawAny = false, any = false;
                var values = new List<string>();
                while (Next() is { } arg)
                {
                    if (arg == "any")
                    {
                        if (values.Count > 0)
                            Fatal($"\"any\" must appear alone in {keyword}");
                        sawAny = true;
                    }
                    else if (sawAny)
                        Fatal($"\"any\" must appear alone in {keyword}");
                    else if (!ValidMethodList(arg, log))
                        Fatal($"invalid {keyword} method list.");
                    any = true;
                    values.Add(arg);
                }
                if (!any)
                    Fatal($"no {keyword} specified");
                if (c.Active && first) store.Append(name, values);
                break;
            }
            case PermitOpen:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                var first = !store.IsSet(name);
                if (arg is "any" or "none")
                {
                    if (c.Active && first) store.Append(name, arg);
                    break;
                }
                var values = new List<string>();
                for (; !string.IsNullOrEmpty(arg); arg = Next())
                {
                    var entry = name == "permitlisten" && !arg!.Contains(':') ? "*:" + arg : arg!;
                    var colon = entry.LastIndexOf(':');
                    if (colon <= 0)
                        Fatal($"{keyword} missing host");
                    var port = entry[(colon + 1)..];
                    if (port != "*" && ParsePort(port) <= 0)
                        Fatal($"{keyword} bad port number");
                    values.Add(entry);
                }
                if (c.Active && first) store.Append(name, values);
                break;
            }
            case PermitUserEnvironment:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                if (c.Active) store.SetFirst(name, arg!);
                break;
            }
            case RekeyLimit:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                long bytes = 0;
                if (arg != "default")
                {
                    if (!TryScaled(arg!, out bytes))
                        throw new SshdConfigException($"{file} line {line}: Bad {keyword} number '{arg}': Invalid argument");
                    if (bytes != 0 && bytes < 16)
                        throw new SshdConfigException($"{file} line {line}: {keyword} too small");
                }
                var interval = 0;
                if (Next() is { } time && time != "none")
                {
                    interval = ParseTime(time);
                    if (interval < 0)
                        Fatal("invalid time value.");
                }
                if (c.Active) store.SetFirst(name, bytes.ToString(CultureInfo.InvariantCulture), Invariant(interval));
                break;
            }
            case QosPair:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                var first = QosName(arg!) ?? Fatal($"Bad {keyword} value: {arg}");
                var second = first;
                if (Next() is { } bulk)
                    second = QosName(bulk) ?? Fatal($"Bad {keyword} value: {bulk}");
                if (c.Active) store.Replace(name, first, second);
                break;
            }
            case Octal:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                int value;
                try
                {
                    var digits = new string(arg!.TakeWhile(ch => ch is >= '0' and <= '7').ToArray());
                    value = digits.Length == 0 ? -1 : Convert.ToInt32(digits, 8);
                }
                catch (OverflowException)
                {
                    value = -1;
                }
                if (value is < 0 or > 511)
                    Fatal($"Invalid {keyword}.");
                if (c.Active) store.Replace(name, Invariant(value));
                break;
            }
            case PubkeyAuthOptions:
            {
                var flags = new List<string>();
                while (Next() is { } arg)
                {
                    if (arg.Equals("none", StringComparison.OrdinalIgnoreCase))
                        continue;
                    if (arg.Equals("touch-required", StringComparison.OrdinalIgnoreCase) || arg.Equals("verify-required", StringComparison.OrdinalIgnoreCase))
                        flags.Add(arg.ToLowerInvariant());
                    else
                        return $"{file} line {line}: unsupported {keyword} option {arg}";
                }
                if (c.Active) store.SetFirst(name, flags);
                break;
            }
            case LogVerbose:
            case ChannelTimeout:
            {
                var first = !store.IsSet(name);
                var values = new List<string>();
                while (Next() is { } arg)
                {
                    if (arg.Length == 0)
                        return $"{file} line {line}: keyword {keyword} empty argument";
                    if (arg.Equals("none", StringComparison.OrdinalIgnoreCase) && (values.Count > 0 || args.Count > 0))
                        return $"{file} line {line}: keyword {keyword} \"none\" argument must appear alone.";
                    if (name == "channeltimeout" && !arg.Equals("none", StringComparison.OrdinalIgnoreCase) && ChannelTimeouts.ParseRule(arg) is null)
                        Fatal($"invalid channel timeout {arg}");
                    values.Add(arg);
                }
                if (name == "channeltimeout" && values.Count == 0)
                    Fatal($"no {keyword} specified");
                if (c.Active && first) store.Append(name, values);
                break;
            }
            case FingerprintHash:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                var value = arg!.ToUpperInvariant() is "SHA256" or "MD5" ? arg.ToUpperInvariant() : Fatal($"Invalid {keyword} algorithm \"{arg}\".");
                if (c.Active) store.Replace(name, value);
                break;
            }
            case PermitTunnel:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal($"{keyword} missing argument.");
                if (arg is not ("no" or "point-to-point" or "ethernet" or "yes"))
                    Fatal($"bad {keyword} argument {arg}");
                if (c.Active) store.SetFirst(name, arg!);
                break;
            }
            case PerSourcePenalties:
                SshdPenaltySettings.Parse([.. args], store, c.Active, keyword, Fatal);
                args.Clear();
                break;
            case PenaltyExemptList:
            {
                var arg = Next();
                if (string.IsNullOrEmpty(arg))
                    Fatal("missing argument.");
                if (SshdConfigPatterns.MatchAddressList(null, arg!) != 0)
                    Fatal($"keyword {keyword} invalid address argument.");
                if (c.Active) store.SetFirst(name, arg!);
                break;
            }
            case NotOnLinux:
                Fatal("setting RDomain not supported on this platform.");
                break;
            case Deprecated:
            case Unsupported:
                log?.Invoke($"{file} line {line}: {(c.Definition.Kind == Unsupported ? "Unsupported" : "Deprecated")} option {keyword}");
                args.Clear();
                break;
            case Ignore:
                args.Clear();
                break;
            default:
                Fatal($"Missing handler for opcode {keyword}");
                break;
        }
        if (args.Count > 0)
            return $"{file} line {line}: keyword {keyword} extra arguments at end of line";
        return null;
    }

    private static SshdConfigAlgorithms.Category CategoryOf(string name) => name switch
    {
        "ciphers" => SshdConfigAlgorithms.Category.Cipher,
        "macs" => SshdConfigAlgorithms.Category.Mac,
        "kexalgorithms" => SshdConfigAlgorithms.Category.Kex,
        "casignaturealgorithms" => SshdConfigAlgorithms.Category.Signature,
        _ => SshdConfigAlgorithms.Category.Key,
    };

    /// <summary>auth2_methods_valid without the enabled check: every method (submethod after ':') is known.</summary>
    internal static bool ValidMethodList(string list, Action<string>? log)
    {
        if (list.Length == 0)
        {
            log?.Invoke("empty authentication method list");
            return false;
        }
        foreach (var method in list.Split(','))
        {
            var colon = method.IndexOf(':');
            var baseName = colon < 0 ? method : method[..colon];
            if (!AuthMethods.Contains(baseName))
            {
                log?.Invoke($"Unknown authentication method \"{baseName}\" in list");
                return false;
            }
        }
        return true;
    }

    private static string? QosName(string arg)
    {
        foreach (var (n, _) in IpQos)
            if (n.Equals(arg, StringComparison.OrdinalIgnoreCase))
                return n;
        if (arg.Equals("none", StringComparison.OrdinalIgnoreCase))
            return "none";
        int value;
        try
        {
            value = arg.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt32(arg[2..], 16)
                : arg.StartsWith('0') && arg.Length > 1 ? Convert.ToInt32(arg[1..], 8)
                : int.Parse(arg, NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
        if (value is < 0 or > 255)
            return null;
        foreach (var (n, v) in IpQos)
            if (v == value)
                return n;
        return $"0x{value:x2}";
    }

    /// <summary>strtonum(0, INT_MAX) as atoi_err reports it.</summary>
    internal static int ParseInt(string? s, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(s))
        {
            error = "missing";
            return 0;
        }
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var v))
        {
            error = "invalid";
            return 0;
        }
        if (v < 0)
            error = "too small";
        else if (v > int.MaxValue)
            error = "too large";
        return (int)v;
    }

    /// <summary>misc.c convtime: "1h30m", "90", "2d"; -1 when malformed.</summary>
    internal static int ParseTime(string s)
    {
        long total = 0;
        var i = 0;
        if (s.Length == 0)
            return -1;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
            if (i == start || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return -1;
            long multiplier = 1;
            if (i < s.Length)
            {
                multiplier = char.ToLowerInvariant(s[i]) switch
                {
                    's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => -1,
                };
                if (multiplier < 0)
                    return -1;
                i++;
            }
            total += n * multiplier;
            if (total > int.MaxValue)
                return -1;
        }
        return (int)total;
    }

    /// <summary>misc.c a2port: a number 0..65535 or a service name; -1 otherwise.</summary>
    internal static int ParsePort(string s)
    {
        if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            return p <= 65535 ? p : -1;
        return s == "ssh" ? 22 : -1;
    }

    private static bool TryScaled(string s, out long value)
    {
        value = 0;
        var suffixes = "KMGTPE";
        var last = char.ToUpperInvariant(s[^1]);
        var scale = suffixes.IndexOf(last);
        var digits = scale >= 0 ? s[..^1] : s;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            return false;
        for (var i = 0; i <= scale; i++)
            value *= 1024;
        return true;
    }

    /// <summary>misc.c tilde_expand_filename for the user running sshd.</summary>
    internal static string TildeExpand(string path)
    {
        if (!path.StartsWith('~'))
            return path;
        var slash = path.IndexOf('/');
        var user = slash < 0 ? path[1..] : path[1..slash];
        var rest = slash < 0 ? "" : path[(slash + 1)..];
        string home;
        if (user.Length == 0)
            home = Environment.GetEnvironmentVariable("HOME") ?? "/";
        else
            home = LookupHome(user) ?? throw new SshdConfigException($"tilde_expand_filename: No such user {user}");
        return rest.Length == 0 ? home : $"{home.TrimEnd('/')}/{rest}";
    }

    private static string? LookupHome(string user)
    {
        try
        {
            foreach (var l in File.ReadLines("/etc/passwd"))
            {
                var f = l.Split(':');
                if (f.Length >= 6 && f[0] == user)
                    return f[5];
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>servconf.c derelativise_path: absolute paths as they are, relative ones from the working directory.</summary>
    internal static string Derelativise(string path)
    {
        if (path.Equals("none", StringComparison.OrdinalIgnoreCase))
            return "none";
        var expanded = TildeExpand(path);
        return expanded.StartsWith('/') ? expanded : $"{Directory.GetCurrentDirectory().TrimEnd('/')}/{expanded}";
    }

    private static string Invariant(int v) => v.ToString(CultureInfo.InvariantCulture);
}
