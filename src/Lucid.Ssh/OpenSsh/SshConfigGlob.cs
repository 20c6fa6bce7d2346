namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// glob(3) as Include uses it (GLOB_TILDE): "~" and "~user" prefixes, then '*', '?' and '[...]' per path
/// component; matches come back sorted by byte order and hidden files only match a pattern starting with '.'.
/// </summary>
internal static class SshConfigGlob
{
    public static List<string> Expand(string pattern, string home)
    {
        if (pattern.StartsWith('~'))
        {
            var slash = pattern.IndexOf('/');
            var user = slash < 0 ? pattern[1..] : pattern[1..slash];
            var rest = slash < 0 ? "" : pattern[slash..];
            var dir = user.Length == 0 ? home : SshConfigLocalUser.HomeOf(user);
            if (dir is null)
                return [];
            pattern = dir + rest;
        }
        if (!HasMagic(pattern))
            return File.Exists(pattern) || Directory.Exists(pattern) ? [pattern] : [];

        var absolute = pattern.StartsWith('/');
        var parts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { absolute ? "/" : "" };
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var next = new List<string>();
            foreach (var prefix in current)
            {
                var dir = prefix.Length == 0 ? "." : prefix;
                if (!HasMagic(parts[i]))
                {
                    var candidate = Join(prefix, parts[i]);
                    if (last ? File.Exists(candidate) || Directory.Exists(candidate) : Directory.Exists(candidate))
                        next.Add(candidate);
                    continue;
                }
                if (!Directory.Exists(dir))
                    continue;
                IEnumerable<string> names;
                try
                {
                    names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                foreach (var name in names)
                {
                    if (name.StartsWith('.') && !parts[i].StartsWith('.'))
                        continue;
                    if (!Matches(name, parts[i]))
                        continue;
                    var candidate = Join(prefix, name);
                    if (!last && !Directory.Exists(candidate))
                        continue;
                    next.Add(candidate);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : prefix.EndsWith('/') ? prefix + name : prefix + "/" + name;

    private static bool HasMagic(string s) => s.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>fnmatch without flags: '*', '?', bracket expressions with ranges and '!'/'^' negation, '\' escapes.</summary>
    private static bool Matches(ReadOnlySpan<char> s, ReadOnlySpan<char> p)
    {
        while (!p.IsEmpty)
        {
            switch (p[0])
            {
                case '*':
                    while (!p.IsEmpty && p[0] == '*')
                        p = p[1..];
                    if (p.IsEmpty)
                        return true;
                    for (var i = 0; i <= s.Length; i++)
                        if (Matches(s[i..], p))
                            return true;
                    return false;
                case '?':
                    if (s.IsEmpty)
                        return false;
                    break;
                case '[':
                    if (s.IsEmpty)
                        return false;
                    // A ']' right after '[' or '[!' is a member, not the end of the set.
                    var first = p.Length > 1 && p[1] is '!' or '^' ? 2 : 1;
                    var close = first + 1 < p.Length ? p[(first + 1)..].IndexOf(']') : -1;
                    if (close < 0)
                        goto default;
                    close += first + 1;
                    if (!InSet(s[0], p[1..close]))
                        return false;
                    p = p[(close + 1)..];
                    s = s[1..];
                    continue;
                case '\\' when p.Length > 1:
                    p = p[1..];
                    goto default;
                default:
                    if (s.IsEmpty || s[0] != p[0])
                        return false;
                    break;
            }
            s = s[1..];
            p = p[1..];
        }
        return s.IsEmpty;
    }

    private static bool InSet(char c, ReadOnlySpan<char> set)
    {
        var negate = !set.IsEmpty && set[0] is '!' or '^';
        if (negate)
            set = set[1..];
        var found = false;
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (c >= set[i] && c <= set[i + 2])
                    found = true;
                i += 2;
            }
            else if (set[i] == c)
                found = true;
        }
        return found != negate;
    }
}
