namespace Lucid.Ssh.OpenSsh;

/// <summary>OpenSSH's wildcard patterns: '*' and '?', comma-separated lists, '!' negation that vetoes.</summary>
public static class SshConfigPatterns
{
    /// <summary>True when <paramref name="s"/> matches <paramref name="pattern"/> ('*' any run, '?' any one char); case-sensitive.</summary>
    public static bool Match(ReadOnlySpan<char> s, ReadOnlySpan<char> pattern)
    {
        while (true)
        {
            if (pattern.IsEmpty)
                return s.IsEmpty;
            if (pattern[0] == '*')
            {
                while (!pattern.IsEmpty && pattern[0] == '*')
                    pattern = pattern[1..];
                if (pattern.IsEmpty)
                    return true;
                for (var i = 0; i < s.Length; i++)
                    if ((pattern[0] == '?' || s[i] == pattern[0]) && Match(s[i..], pattern))
                        return true;
                return false;
            }
            if (s.IsEmpty)
                return false;
            if (pattern[0] != '?' && pattern[0] != s[0])
                return false;
            s = s[1..];
            pattern = pattern[1..];
        }
    }

    /// <summary>Matches against a comma-separated list: 1 on a positive match, -1 when a negated entry matches
    /// (which overrides any positive one), 0 otherwise. <paramref name="lowercasePattern"/> lowercases the list first.</summary>
    public static int MatchList(string s, string patternList, bool lowercasePattern)
    {
        var positive = false;
        var i = 0;
        while (i < patternList.Length)
        {
            var negated = patternList[i] == '!';
            if (negated)
                i++;
            var end = patternList.IndexOf(',', i);
            if (end < 0)
                end = patternList.Length;
            var sub = patternList[i..end];
            if (sub.Length >= 1023)
                return 0;
            if (lowercasePattern)
                sub = AsciiLower(sub);
            i = end < patternList.Length ? end + 1 : end;
            if (Match(s, sub))
            {
                if (negated)
                    return -1;
                positive = true;
            }
        }
        return positive ? 1 : 0;
    }

    /// <summary>Host names compare lowercased, against a lowercased list.</summary>
    public static int MatchHostName(string host, string patternList) => MatchList(AsciiLower(host), patternList, true);

    /// <summary>Lowercases ASCII letters only, as C's tolower does in the C locale.</summary>
    internal static string AsciiLower(string s) => string.Create(s.Length, s, static (span, src) =>
    {
        for (var i = 0; i < src.Length; i++)
            span[i] = src[i] is >= 'A' and <= 'Z' ? (char)(src[i] + 32) : src[i];
    });
}
