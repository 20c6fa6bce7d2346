using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>How a file is being read, as OpenSSH's SSHCONF_* flags.</summary>
[Flags]
internal enum SshConfigReadFlags
{
    None = 0,
    CheckPermissions = 1,
    UserConfig = 2,
    NeverMatch = 4,
    FinalPass = 8,
}

/// <summary>
/// Reads ssh_config files into a <see cref="SshConfigState"/> the way OpenSSH's readconf.c does: line by line,
/// Host and Match switching options on and off, Include pulling files in place, the first value winning.
/// Problems go to <see cref="Log"/> in OpenSSH's words; fatal ones throw <see cref="SshConfigException"/>.
/// </summary>
internal sealed partial class SshConfigReader
{
    private const int MaxIncludeDepth = 16;
    private readonly SshConfigState _o;
    private readonly SshConfigResolveOptions _options;
    private readonly SshConfigLocalUser _local;

    public SshConfigReader(SshConfigState state, SshConfigResolveOptions options, SshConfigLocalUser local)
    {
        _o = state;
        _options = options;
        _local = local;
    }

    /// <summary>The host the Host and Match lines compare against (what the user typed, later the HostName).</summary>
    public string Host { get; set; } = "";

    /// <summary>The host exactly as given on the command line (Match originalhost, %n).</summary>
    public string OriginalHost { get; set; } = "";

    /// <summary>Set when some Match line asked for the final pass.</summary>
    public bool WantFinalPass { get; set; }

    /// <summary>Everything OpenSSH would have logged while reading, in order.</summary>
    public SshConfigLog Log { get; } = new();

    private string? Env(string name) => _options.GetEnvironmentVariable(name);

    private SshConfigException Fatal(string line) => Log.Fatal(line);

    private void Error(string line) => Log.Error(line);

    private void Debug(int level, string line) => Log.Debug(level, line);

    /// <summary>Reads one file; false when it could not be opened (a missing file is not an error here).</summary>
    public bool ReadFile(string fileName, SshConfigReadFlags flags, ref bool active, int depth)
    {
        if (depth > MaxIncludeDepth)
            throw Fatal("Too many recursive configuration includes");
        string[] lines;
        try
        {
            if (Directory.Exists(fileName))
                lines = [];
            else
                lines = ReadLines(fileName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        if (flags.HasFlag(SshConfigReadFlags.CheckPermissions) && !OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(fileName);
            if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                throw Fatal($"Bad owner or permissions on {fileName}");
        }
        Debug(1, $"Reading configuration data {fileName}");
        var bad = 0;
        for (var i = 0; i < lines.Length; i++)
            if (!ProcessLine(lines[i], fileName, i + 1, ref active, flags, depth))
                bad++;
        if (bad > 0)
            throw Fatal($"{fileName}: terminating, {bad} bad configuration options");
        return true;
    }

    private static string[] ReadLines(string fileName)
    {
        // Split on '\n' only, as getline does; a '\r' stays part of the line and is trimmed as whitespace later.
        var text = File.ReadAllText(fileName, new UTF8Encoding(false));
        var parts = text.Split('\n');
        return text.EndsWith('\n') ? parts[..^1] : parts;
    }

    /// <summary>Processes one command-line -o option (no Host, Match or Include allowed); false when it is bad.</summary>
    public bool ProcessCommandLine(string line)
    {
        var active = true;
        return ProcessLine(line, "command-line", 0, ref active, SshConfigReadFlags.UserConfig, 0, commandLine: true);
    }

    /// <summary>One line of configuration. Returns false when the line is bad (the error is already recorded).</summary>
    public bool ProcessLine(string line, string fileName, int lineNumber, ref bool active, SshConfigReadFlags flags,
        int depth, bool commandLine = false)
    {
        line = line.TrimEnd(' ', '\t', '\r', '\n', '\f');
        if (line.Length == 0)
            return true;
        var tok = new SshConfigTokenizer(line);
        var keyword = tok.Next();
        if (keyword is null)
            return true;
        if (keyword.Length == 0)
            keyword = tok.Next();
        if (keyword is null || keyword.Length == 0 || keyword[0] == '\n' || keyword[0] == '#')
            return true;
        keyword = SshConfigPatterns.AsciiLower(keyword);

        var str = tok.Rest?.TrimStart(' ', '\t', '\r', '\n');
        if (string.IsNullOrEmpty(str))
        {
            Error($"{fileName} line {lineNumber}: no argument after keyword \"{keyword}\"");
            return false;
        }
        var opcode = SshConfigKeywords.Lookup(keyword);
        if (opcode == SshConfigKeyword.Bad && _o.IgnoredUnknown is not null
            && SshConfigPatterns.MatchList(keyword, _o.IgnoredUnknown, true) == 1)
            opcode = SshConfigKeyword.IgnoredUnknown;
        if (opcode == SshConfigKeyword.Bad)
            Error($"{fileName}: line {lineNumber}: Bad configuration option: {keyword}");
        var args = SshConfigTokenizer.SplitArguments(str);
        if (args is null)
        {
            Error($"{fileName} line {lineNumber}: invalid quotes");
            return false;
        }
        if (opcode == SshConfigKeyword.Bad)
            return false;

        var ctx = new LineContext(fileName, lineNumber, keyword, str, new Queue<string>(args), commandLine, flags, depth);
        bool ok;
        switch (opcode)
        {
            case SshConfigKeyword.Host:
                ok = HandleHost(ctx, ref active);
                break;
            case SshConfigKeyword.Match:
                ok = HandleMatch(ctx, ref active);
                break;
            case SshConfigKeyword.Include:
                ok = HandleInclude(ctx, ref active);
                break;
            default:
                ok = ApplyOption(opcode, ctx, active);
                break;
        }
        if (!ok)
            return false;
        if (ctx.Args.Count > 0)
        {
            Error($"{fileName} line {lineNumber}: keyword {keyword} extra arguments at end of line");
            return false;
        }
        return true;
    }

    /// <summary>What one option line handler needs: where it is, its keyword, raw remainder and split arguments.</summary>
    private sealed record LineContext(string File, int Line, string Keyword, string Raw, Queue<string> Args,
        bool CommandLine, SshConfigReadFlags Flags, int Depth)
    {
        public string? Next() => Args.Count > 0 ? Args.Dequeue() : null;
        public void ConsumeAll() => Args.Clear();
        public string At => $"{File} line {Line}";
    }

    private bool HandleHost(LineContext c, ref bool active)
    {
        if (c.CommandLine)
        {
            Error("Host directive not supported as a command-line option");
            return false;
        }
        active = false;
        string? applied = null;
        while (c.Next() is { } arg)
        {
            if (arg.Length == 0)
            {
                Error($"{c.At}: keyword {c.Keyword} empty argument");
                return false;
            }
            if (c.Flags.HasFlag(SshConfigReadFlags.NeverMatch))
            {
                c.ConsumeAll();
                break;
            }
            var negated = arg[0] == '!';
            var pattern = negated ? arg[1..] : arg;
            if (SshConfigPatterns.Match(Host, pattern))
            {
                if (negated)
                {
                    Debug(1, $"{c.At}: Skipping Host block because of negated match for {Truncate(pattern, 100)}");
                    active = false;
                    c.ConsumeAll();
                    break;
                }
                if (!active)
                    applied = pattern;
                active = true;
            }
        }
        if (active)
            Debug(1, $"{c.At}: Applying options for {Truncate(applied!, 100)}");
        return true;
    }

    private bool HandleMatch(LineContext c, ref bool active)
    {
        if (c.CommandLine)
        {
            Error("Host directive not supported as a command-line option");
            return false;
        }
        var tok = new SshConfigTokenizer(c.Raw);
        int value;
        try
        {
            value = EvaluateMatch(tok, c.Flags.HasFlag(SshConfigReadFlags.FinalPass), c.File, c.Line);
        }
        catch (SshConfigException e) when (e.Standalone)
        {
            throw Log.Rethrow(e); // a token expansion failure, which knows nothing of what was logged before
        }
        if (value < 0)
        {
            Error($"{c.At}: Bad Match condition");
            return false;
        }
        active = !c.Flags.HasFlag(SshConfigReadFlags.NeverMatch) && value == 1;
        // Arguments Match did not use make the line fail the "extra arguments" check.
        if (string.IsNullOrEmpty(tok.Rest))
            c.ConsumeAll();
        return true;
    }

    /// <summary>1 when every criterion holds, 0 when one fails, -1 when the line is malformed.</summary>
    private int EvaluateMatch(SshConfigTokenizer tok, bool finalPass, string file, int line)
    {
        var port = _o.Port <= 0 ? 22 : _o.Port;
        var ruser = _o.User ?? _local.Name;
        string host;
        if (finalPass)
            host = _o.HostName ?? Host;
        else if (_o.HostName is not null)
            host = SshConfigExpansion.Expand(_o.HostName, new Dictionary<char, string> { ['h'] = Host }, null);
        else
            host = Host;

        Debug(2, $"checking match for '{tok.Rest}' host {host} originally {OriginalHost}");
        var result = EvaluateCriteria(tok, finalPass, file, line, host, port, ruser);
        if (result != -1)
            Debug(2, $"match {(result != 0 ? "" : "not ")}found");
        return result;
    }

    private int EvaluateCriteria(SshConfigTokenizer tok, bool finalPass, string file, int line, string host, int port, string ruser)
    {
        var result = 1;
        var attributes = 0;
        while (tok.Next() is { Length: > 0 } oattrib)
        {
            if (oattrib[0] == '#')
            {
                tok.Consume();
                break;
            }
            var negate = oattrib[0] == '!';
            var attrib = negate ? oattrib[1..] : oattrib;
            if (attrib.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                var extra = attributes > 1 ? null : tok.Next();
                if (attributes > 1 || (extra is { Length: > 0 } && extra[0] != '#'))
                {
                    Error($"{file} line {line}: '{oattrib}' cannot be combined with other Match attributes");
                    return -1;
                }
                if (extra is { Length: > 0 } && extra[0] == '#')
                    tok.Consume();
                if (result != 0)
                    result = negate ? 0 : 1;
                return result;
            }
            attributes++;
            if (attrib.Equals("canonical", StringComparison.OrdinalIgnoreCase) || attrib.Equals("final", StringComparison.OrdinalIgnoreCase))
            {
                if (attrib.Equals("final", StringComparison.OrdinalIgnoreCase))
                    WantFinalPass = true;
                var matched = finalPass != negate;
                if (!matched)
                    result = 0;
                Debug(3, $"{file} line {line}: {(matched ? "" : "not ")}matched '{oattrib}'");
                continue;
            }
            var arg = tok.Next();
            // "tagged" and "command" may be given "" (no tag, no command); every other criterion needs a value.
            var emptyAllowed = attrib.Equals("tagged", StringComparison.OrdinalIgnoreCase) || attrib.Equals("command", StringComparison.OrdinalIgnoreCase);
            if (arg is null || (arg.Length == 0 && !emptyAllowed) || (arg.Length > 0 && arg[0] == '#'))
            {
                Error($"Missing Match criteria for {attrib}");
                return -1;
            }
            bool r;
            string criteria;
            switch (attrib.ToLowerInvariant())
            {
                case "host":
                    criteria = host;
                    r = SshConfigPatterns.MatchHostName(host, arg) == 1;
                    break;
                case "originalhost":
                    criteria = OriginalHost;
                    r = SshConfigPatterns.MatchHostName(OriginalHost, arg) == 1;
                    break;
                case "user":
                    criteria = ruser;
                    r = SshConfigPatterns.MatchList(ruser, arg, false) == 1;
                    break;
                case "localuser":
                    criteria = _local.Name;
                    r = SshConfigPatterns.MatchList(_local.Name, arg, false) == 1;
                    break;
                case "exec":
                    var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var cmd = SshConfigExpansion.Expand(arg, new Dictionary<char, string>
                    {
                        ['C'] = ConnectionHash(_local.HostName, host, portText, ruser, JumpToken(_o)),
                        ['j'] = JumpToken(_o),
                        ['L'] = _local.ShortHostName,
                        ['d'] = _local.HomeDirectory,
                        ['h'] = host,
                        ['k'] = _o.HostKeyAlias ?? host,
                        ['l'] = _local.HostName,
                        ['n'] = OriginalHost,
                        ['p'] = portText,
                        ['r'] = ruser,
                        ['u'] = _local.Name,
                        ['i'] = _local.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    }, null);
                    if (result != 1)
                    {
                        // An earlier criterion failed: OpenSSH does not run the command.
                        Debug(3, $"{file} line {line}: skipped exec \"{Truncate(cmd, 100)}\"");
                        continue;
                    }
                    Debug(1, $"Executing command: '{Truncate(cmd, 500)}'");
                    var status = RunInShell(cmd);
                    if (status < 0)
                        throw Fatal($"{file} line {line}: match exec '{Truncate(cmd, 100)}' error");
                    Debug(3, $"command returned status {status}");
                    criteria = cmd;
                    r = status == 0;
                    break;
                case "localnetwork":
                    if (!SshConfigLocalNetwork.IsValidList(arg, out var problem))
                    {
                        foreach (var message in problem!.Split('\n'))
                            Error(message);
                        return -1;
                    }
                    criteria = "";
                    r = SshConfigLocalNetwork.AnyInterfaceIn(arg, _options.LocalAddresses);
                    break;
                case "version":
                    criteria = _options.Release;
                    r = SshConfigPatterns.MatchList(criteria, arg, false) == 1;
                    break;
                case "tagged":
                    criteria = _o.Tag ?? "";
                    r = criteria.Length == 0 ? arg.Length == 0 : SshConfigPatterns.MatchList(criteria, arg, false) == 1;
                    break;
                case "command":
                    criteria = _options.RemoteCommand ?? "";
                    r = criteria.Length == 0 ? arg.Length == 0 : SshConfigPatterns.MatchList(criteria, arg, false) == 1;
                    break;
                case "sessiontype":
                    criteria = _o.SessionType == SshConfigKeywords.SessionSubsystem ? "subsystem"
                        : _o.SessionType == SshConfigKeywords.SessionNone ? "none"
                        : string.IsNullOrEmpty(_options.RemoteCommand) ? "shell" : "exec";
                    r = SshConfigPatterns.MatchList(criteria, arg, false) == 1;
                    break;
                default:
                    Error($"Unsupported Match attribute {attrib}");
                    return -1;
            }
            var thisResult = r != negate;
            if (!thisResult)
                result = 0;
            Debug(3, attrib.Equals("localnetwork", StringComparison.OrdinalIgnoreCase)
                ? $"{file} line {line}: {(thisResult ? "" : "not ")}matched '{oattrib}' "
                : $"{file} line {line}: {(thisResult ? "" : "not ")}matched '{oattrib} \"{Truncate(criteria, 100)}\"' ");
        }
        if (attributes == 0)
        {
            Error("One or more attributes required for Match");
            return -1;
        }
        return result;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>%C: SHA-1 over local host, remote host, port, remote user and (OpenSSH 10) the ProxyJump host, in hex.</summary>
    internal static string ConnectionHash(string thisHost, string host, string port, string user, string jumpHost) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(thisHost + host + port + user + jumpHost)));

    /// <summary>%j: the ProxyJump host, or "" when there is none.</summary>
    internal static string JumpToken(SshConfigState o) => o.JumpHost is null or "none" ? "" : o.JumpHost;

    /// <summary>Runs a Match exec command with $SHELL -c, stdin and stdout on /dev/null; its exit status, or -1
    /// when it did not exit normally.</summary>
    private int RunInShell(string command)
    {
        if (_options.MatchExec is { } custom)
            return custom(command);
        var shell = Env("SHELL");
        if (string.IsNullOrEmpty(shell))
            shell = "/bin/sh";
        if (!File.Exists(shell))
            throw Fatal($"Shell \"{shell}\" is not executable: No such file or directory");
        var info = new ProcessStartInfo(shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var process = Process.Start(info) ?? throw Fatal($"Unable to execute '{Truncate(command, 100)}'");
        process.StandardInput.Close();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        // .NET reports death by signal as 128+signal; OpenSSH calls that an abnormal exit.
        return process.ExitCode > 128 && process.ExitCode < 160 ? -1 : process.ExitCode;
    }

    private bool HandleInclude(LineContext c, ref bool active)
    {
        if (c.CommandLine)
        {
            Error("Include directive not supported as a command-line option");
            return false;
        }
        var failed = false;
        var userConfig = c.Flags.HasFlag(SshConfigReadFlags.UserConfig);
        while (c.Next() is { } arg)
        {
            if (arg.Length == 0)
            {
                Error($"{c.At}: keyword {c.Keyword} empty argument");
                return false;
            }
            if (arg[0] == '~' && !userConfig)
            {
                Error($"{c.At}: bad include path {arg}.");
                return false;
            }
            var path = arg[0] != '/' && arg[0] != '~'
                ? (userConfig ? "~/.ssh/" : _options.SystemConfigDirectory + "/") + arg
                : arg;
            var matches = SshConfigGlob.Expand(path, Env("HOME") ?? _local.HomeDirectory);
            if (matches.Count == 0)
            {
                Debug(1, $"{c.At}: include {path} matched no files");
                continue;
            }
            var outerActive = active;
            foreach (var file in matches)
            {
                Debug(3, $"{c.At}: Including file {file} depth {c.Depth}{(outerActive ? "" : " (parse only)")}");
                var nested = c.Flags | SshConfigReadFlags.CheckPermissions
                    | (outerActive ? SshConfigReadFlags.None : SshConfigReadFlags.NeverMatch);
                var opened = ReadFile(file, nested, ref active, c.Depth + 1);
                if (!opened && File.Exists(file))
                {
                    Error($"Can't open user config file {Truncate(file, 100)}: Permission denied");
                    return false;
                }
                // A Match inside the included file must not change the including file's state.
                active = outerActive;
                if (!opened)
                    failed = true;
            }
        }
        _ = failed; // OpenSSH returns this as the line's status but its caller counts only -1 as bad.
        return true;
    }
}
