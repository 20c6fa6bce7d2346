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
