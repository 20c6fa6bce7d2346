using System.Globalization;

namespace Lucid.Cli.Ssh;

/// <summary>OpenSSH's time values: "90", "1h30m", "2d" (s, m, h, d, w suffixes; no suffix = seconds).</summary>
internal static class TimeValue
{
    public static TimeSpan? Parse(string text)
    {
        if (text.Length == 0)
            return null;
        long total = 0, current = 0;
        var haveDigits = false;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                current = checked(current * 10 + (c - '0'));
                haveDigits = true;
                continue;
            }
            if (!haveDigits)
                return null;
            long scale = char.ToLowerInvariant(c) switch
            {
                's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => -1,
            };
            if (scale < 0)
                return null;
            total += current * scale;
            current = 0;
            haveDigits = false;
        }
        total += current;
        return TimeSpan.FromSeconds(total);
    }
}

/// <summary>Byte counts with K, M, G suffixes (powers of 1024), as RekeyLimit takes them.</summary>
internal static class ByteSize
{
    public static long? Parse(string text)
    {
        if (text.Length == 0)
            return null;
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var digits = scale == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return null;
        return n * scale;
    }
}

/// <summary>The escape character setting: a single character, "^X" for a control character, or "none".</summary>
internal static class EscapeChars
{
    public const int None = -1;

    public static int? Parse(string text)
    {
        if (text.Equals("none", StringComparison.Ordinal))
            return None;
        if (text.Length == 1)
            return text[0];
        if (text.Length == 2 && text[0] == '^')
            return char.ToUpperInvariant(text[1]) & 31;
        return null;
    }
}
