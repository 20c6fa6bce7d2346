namespace Lucid.Ssh.Crypto;

/// <summary>
/// Algorithm list edits as ssh_config(5) and sshd_config(5) describe them for Ciphers, MACs, KexAlgorithms,
/// HostKeyAlgorithms and friends: a plain list replaces the default; "+list" appends to it, "-list" removes
/// from it, "^list" puts the named ones first. Entries may be wildcard patterns ('*' and '?').
/// </summary>
public static class AlgorithmList
{
    /// <summary>
    /// The effective list. Patterns expand to the matching supported algorithms in <paramref name="supported"/>
    /// order; duplicates are dropped. A plain name nobody supports is an error, as in OpenSSH
    /// ("Bad SSH2 cipher spec"); a pattern matching nothing is not.
    /// </summary>
    public static IReadOnlyList<string> Edit(string? spec, IReadOnlyList<string> defaults, IReadOnlyList<string> supported)
    {
        if (string.IsNullOrWhiteSpace(spec))
            return defaults;
        spec = spec.Trim();
        char op = spec[0];
        var body = op is '+' or '-' or '^' ? spec[1..] : spec;
        var entries = body.Split(',', StringSplitOptions.TrimEntries);
        if (entries.Any(e => e.Length == 0))
            throw new ArgumentException($"empty algorithm name in \"{spec}\"");

        switch (op)
        {
            case '-':
                return [.. defaults.Where(d => !entries.Any(e => Matches(d, e)))];
            case '+':
                return Distinct(defaults.Concat(Expand(entries, supported)));
            case '^':
                return Distinct(Expand(entries, supported).Concat(defaults));
            default:
                return Distinct(Expand(entries, supported));
        }
    }

    /// <summary>True when <paramref name="name"/> matches the ssh pattern (<c>*</c> any run, <c>?</c> one character).</summary>
    public static bool Matches(string name, string pattern) => Match(name.AsSpan(), pattern.AsSpan());

    private static IEnumerable<string> Expand(string[] entries, IReadOnlyList<string> supported)
    {
        foreach (var entry in entries)
        {
            if (entry.Contains('*') || entry.Contains('?'))
            {
                foreach (var name in supported)
                {
                    if (Matches(name, entry))
                        yield return name;
                }
            }
            else if (supported.Contains(entry))
            {
                yield return entry;
            }
            else
            {
                throw new ArgumentException($"unsupported algorithm \"{entry}\"");
            }
        }
    }

    private static List<string> Distinct(IEnumerable<string> names)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            if (!result.Contains(name))
                result.Add(name);
        }
        return result;
    }

    private static bool Match(ReadOnlySpan<char> s, ReadOnlySpan<char> p)
    {
        // Iterative glob with single backtrack point: linear for the short names involved.
        int si = 0, pi = 0, star = -1, mark = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || p[pi] == s[si]))
            {
                si++;
                pi++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (pi < p.Length && p[pi] == '*')
            pi++;
        return pi == p.Length;
    }
}
