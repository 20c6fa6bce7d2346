using System.Globalization;
using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Reads sshd_config the way OpenSSH's servconf.c does: one keyword per line (`Key value` or `Key=value`),
/// the first value obtained wins, Include with globs (relative to /etc/ssh), Match blocks that last until
/// the next Match or the end of the file. The same lines are replayed per connection to apply Match blocks.
/// </summary>
internal sealed class SshdConfigParser
{
    private const int MaxIncludeDepth = 16;
    private readonly Dictionary<string, List<(string File, string[] Lines)>> _includeCache = new(StringComparer.Ordinal);
    private readonly string _includeBase;
    private readonly Action<string>? _log;

    public SshdConfigParser(string includeBase = "/etc/ssh", Action<string>? log = null)
    {
        _includeBase = includeBase;
        _log = log;
    }

    /// <summary>The global pass: every line is checked, lines outside Match blocks are applied.</summary>
    public void ParseGlobal(SshdConfigStore store, string file, string[] lines)
    {
        var active = true;
        ParseFile(store, file, lines, null, ref active, neverMatch: false, matchOnly: false, depth: 0);
    }

    /// <summary>Replays the configuration for one connection: only active Match blocks apply.</summary>
    public void ParseMatches(SshdConfigStore store, string file, string[] lines, SshdMatchContext context)
    {
        var active = false;
        ParseFile(store, file, lines, context, ref active, neverMatch: false, matchOnly: true, depth: 0);
    }

    /// <summary>One command-line `-o Keyword=value` option (applied before the files, so it wins).</summary>
    public void ParseCommandLine(SshdConfigStore store, string option)
    {
        var pass = new Pass(store, null, "command-line", 0, true, CommandLine: true);
        if (!ProcessLine(pass, option, ref pass.Active, false, 0, out var error))
            throw new SshdConfigException(error ?? $"command-line line 0: Bad configuration option: {option}", 1);
    }

    public static string[] ReadLines(string path)
    {
        try
        {
            // servconf.c strips leading whitespace per line and keeps line numbering intact.
            return File.ReadAllText(path).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory"
                : e is UnauthorizedAccessException ? "Permission denied" : e.Message;
            throw new SshdConfigException($"{path}: {reason}", 1);
        }
    }

    private sealed class Pass(SshdConfigStore store, SshdMatchContext? context, string file, int depth, bool active, bool CommandLine = false)
    {
        public SshdConfigStore Store { get; } = store;
        public SshdMatchContext? Context { get; } = context;
        public string File { get; } = file;
        public int Depth { get; } = depth;
        public bool Active = active;
        public bool IsCommandLine { get; } = CommandLine;
    }

    private void ParseFile(SshdConfigStore store, string file, string[] lines, SshdMatchContext? context,
        ref bool active, bool neverMatch, bool matchOnly, int depth)
    {
        if (depth > MaxIncludeDepth)
            throw new SshdConfigException("Too many recursive configuration includes");
        var pass = new Pass(store, context, file, depth, active);
        var errors = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!ProcessLine(pass, lines[i], ref pass.Active, neverMatch, i + 1, out var error, matchOnly))
            {
                errors.Add(error!);
                _log?.Invoke(error!);
            }
            if (matchOnly && IsMatchLine(lines[i]))
                matchOnly = false;
        }
        active = pass.Active;
        if (errors.Count > 0)
            throw new SshdConfigException($"{file}: terminating, {errors.Count} bad configuration options");
    }

    private static bool IsMatchLine(string line)
    {
        var t = line.TrimStart(' ', '\t');
        return t.Length > 5 && t.StartsWith("match", StringComparison.OrdinalIgnoreCase) && t[5] is ' ' or '\t' or '=';
    }

    /// <summary>Returns false with an error line for problems sshd counts and reports at the end; throws for fatal ones.</summary>
    private bool ProcessLine(Pass pass, string line, ref bool active, bool neverMatch, int number, out string? error,
        bool matchOnly = false)
    {
        error = null;
        var file = pass.File;
        line = line.TrimEnd(' ', '\t', '\r', '\n', '\f').TrimStart(' ', '\t', '\r');
        if (!SplitKeyword(line, out var keyword, out var rest))
            return true;
        if (keyword.StartsWith('#'))
            return true;
        if (rest.Length == 0)
        {
            error = $"{file} line {number}: no argument after keyword \"{keyword}\"";
            return false;
        }
        var kw = SshdConfigKeywords.Find(keyword);
        if (kw is null)
        {
            error = $"{file}: line {number}: Bad configuration option: {keyword}";
            return false;
        }
        if (!TrySplitArguments(rest, out var args))
        {
            error = $"{file} line {number}: invalid quotes";
            return false;
        }
        // In the per-connection replay (which starts inactive) only Match-able keywords are applied.
        var applying = active;
        if (!active && !kw.InMatch)
        {
            if (pass.Context is null && !pass.IsCommandLine)
                throw new SshdConfigException($"{file} line {number}: Directive '{keyword}' is not allowed within a Match block");
            return true;
        }
        if (pass.Context is not null && !kw.InMatch)
            applying = false;

        var ctx = new SshdConfigLineContext(file, number, keyword, kw, args, rest, applying, pass.Store);
        switch (kw.Kind)
        {
            case SshdKeywordKind.Include:
                if (pass.IsCommandLine)
                    throw new SshdConfigException("Include directive not supported as a command-line option");
                return Include(pass, ctx, ref active, neverMatch, matchOnly, out error);
            case SshdKeywordKind.Match:
                if (pass.IsCommandLine)
                    throw new SshdConfigException("Match directive not supported as a command-line option");
                var result = SshdConfigMatch.Evaluate(args, number, neverMatch ? null : pass.Context, out var consumedAll, out var matchError);
                if (result < 0)
                {
                    if (matchError is not null)
                        _log?.Invoke(matchError);
                    throw new SshdConfigException($"{file} line {number}: Bad Match condition");
                }
                active = !neverMatch && result == 1;
                if (!consumedAll)
                {
                    error = $"{file} line {number}: keyword {keyword} extra arguments at end of line";
                    return false;
                }
                return true;
            default:
                // Apply consumes the arguments; the unenforced-keyword check needs them as written.
                var written = pass.Context is null ? args.ToList() : null;
                var outcome = SshdConfigValues.Apply(ctx, _log);
                error = outcome;
                if (outcome is null && written is not null && UnenforcedKeywords.CheckServer(file, number, keyword, kw.Canonical, written) is { } unenforced)
                {
                    if (unenforced.Verdict == UnenforcedVerdict.Refuse)
                    {
                        error = unenforced.Message;
                        return false;
                    }
                    _log?.Invoke(unenforced.Message);
                }
                return outcome is null;
        }
    }

    private bool Include(Pass pass, SshdConfigLineContext ctx, ref bool active, bool neverMatch, bool matchOnly, out string? error)
    {
        error = null;
        var count = 0;
        foreach (var arg in ctx.Args)
        {
            if (arg.Length == 0)
            {
                error = $"{ctx.File} line {ctx.Line}: keyword {ctx.Keyword} empty argument";
                return false;
            }
            count++;
            var selector = arg.StartsWith('/') || arg.StartsWith('~') ? SshdConfigValues.TildeExpand(arg) : $"{_includeBase}/{arg}";
            if (!_includeCache.TryGetValue(selector, out var files))
            {
                files = [];
                foreach (var path in Glob(selector))
                    files.Add((path, ReadLines(path)));
                _includeCache[selector] = files;
            }
            var outer = active;
            foreach (var (path, lines) in files)
            {
                // An included file starts in the includer's Match state and cannot change it. Before the
                // first Match of a per-connection replay its Match blocks are still evaluated.
                var inner = outer;
                ParseFile(pass.Store, path, lines, pass.Context, ref inner, !matchOnly && (neverMatch || !outer),
                    matchOnly, pass.Depth + 1);
            }
            active = outer;
        }
        if (count == 0)
            throw new SshdConfigException($"{ctx.File} line {ctx.Line}: {ctx.Keyword} missing filename argument");
        return true;
    }

    /// <summary>glob(3) for the patterns sshd_config uses: wildcards in the last components, results sorted.</summary>
    internal static IEnumerable<string> Glob(string pattern)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?') && !pattern.Contains('['))
            return File.Exists(pattern) || Directory.Exists(pattern) ? [pattern] : [];
        var parts = pattern.Split('/');
        IEnumerable<string> current = [pattern.StartsWith('/') ? "/" : "."];
        for (var i = pattern.StartsWith('/') ? 1 : 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var last = i == parts.Length - 1;
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (part.Length == 0)
                {
                    next.Add(dir);
                    continue;
                }
                if (!part.Contains('*') && !part.Contains('?'))
                {
                    var p = Path.Combine(dir, part);
                    if (last ? File.Exists(p) || Directory.Exists(p) : Directory.Exists(p))
                        next.Add(p);
                    continue;
                }
                if (!Directory.Exists(dir))
                    continue;
                var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
                    .Where(n => n is not null && !n.StartsWith('.') && SshdConfigPatterns.Match(n, part))
                    .Order(StringComparer.Ordinal);
                foreach (var name in names)
                    next.Add(Path.Combine(dir, name!));
            }
            current = next;
        }
        return current.ToList();
    }

    /// <summary>servconf.c's strdelim for the keyword: ends at whitespace or one '='.</summary>
    internal static bool SplitKeyword(string line, out string keyword, out string rest)
    {
        keyword = rest = "";
        if (line.Length == 0)
            return false;
        var i = 0;
        while (i < line.Length && line[i] is not (' ' or '\t' or '=' or '"'))
            i++;
        keyword = line[..i];
        if (keyword.Length == 0)
            return false;
        while (i < line.Length && line[i] is ' ' or '\t')
            i++;
        if (i < line.Length && line[i] == '=')
        {
            i++;
            while (i < line.Length && line[i] is ' ' or '\t')
                i++;
        }
        rest = line[i..];
        return true;
    }

    /// <summary>misc.c argv_split with comments: quotes group, backslash escapes quotes, backslash and space.</summary>
    internal static bool TrySplitArguments(string s, out List<string> args)
    {
        args = [];
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] is ' ' or '\t')
            {
                i++;
                continue;
            }
            if (s[i] == '#')
                break;
            var arg = new StringBuilder();
            char quote = '\0';
            for (; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '\\' && i + 1 < s.Length && (s[i + 1] is '\'' or '"' or '\\' || (quote == '\0' && s[i + 1] == ' ')))
                    arg.Append(s[++i]);
                else if (quote == '\0' && c is ' ' or '\t')
                    break;
                else if (quote == '\0' && c is '"' or '\'')
                    quote = c;
                else if (quote != '\0' && c == quote)
                    quote = '\0';
                else
                    arg.Append(c);
            }
            if (quote != '\0')
                return false;
            args.Add(arg.ToString());
        }
        return true;
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One configuration line being applied: where it came from, its arguments, and the target store.</summary>
internal sealed record SshdConfigLineContext(string File, int Line, string Keyword, SshdKeyword Definition,
    List<string> Args, string Rest, bool Active, SshdConfigStore Store);
