namespace Lucid.Cli.Keygen;

/// <summary>OpenSSH's pattern lists: comma-separated globs (* and ?), a leading ! negates and wins.</summary>
internal static class Patterns
{
    public static bool MatchList(string s, string list)
    {
        bool matched = false;
        foreach (var raw in list.Split(','))
        {
            bool negated = raw.StartsWith('!');
            string pattern = negated ? raw[1..] : raw;
            if (!Match(s, pattern))
                continue;
            if (negated)
                return false;
            matched = true;
        }
        return matched;
    }

    public static bool Match(ReadOnlySpan<char> s, ReadOnlySpan<char> pattern)
    {
        while (true)
        {
            if (pattern.IsEmpty)
                return s.IsEmpty;
            if (pattern[0] == '*')
            {
                var rest = pattern[1..];
                for (int i = 0; i <= s.Length; i++)
                {
                    if (Match(s[i..], rest))
                        return true;
                }
                return false;
            }
            if (s.IsEmpty || (pattern[0] != '?' && pattern[0] != s[0]))
                return false;
            s = s[1..];
            pattern = pattern[1..];
        }
    }
}
