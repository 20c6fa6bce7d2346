namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// ChannelTimeout (ssh_config and sshd_config): "type=interval" rules. A channel's timeout is the first rule
/// whose pattern matches its type; "global" (spelled exactly) is a separate timeout for all channels together.
/// </summary>
public sealed class ChannelTimeouts
{
    private readonly List<(string Pattern, int Seconds)> _rules = [];

    /// <summary>Seconds of inactivity after which all open channels close together; 0 for never.</summary>
    public int GlobalSeconds { get; private set; }

    public bool IsEmpty => GlobalSeconds == 0 && _rules.All(r => r.Seconds == 0);

    /// <summary>The rules from a keyword's values ("none" or absent: no timeouts).</summary>
    public static ChannelTimeouts From(IReadOnlyList<string>? values)
    {
        var result = new ChannelTimeouts();
        foreach (var value in values ?? [])
        {
            if (ParseRule(value) is not var (type, seconds))
                continue;
            if (type == "global")
                result.GlobalSeconds = seconds;
            else
                result._rules.Add((type, seconds));
        }
        return result;
    }

    /// <summary>misc.c parse_pattern_interval: a non-empty type, '=', a time; null when malformed.</summary>
    public static (string Type, int Seconds)? ParseRule(string value)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0)
            return null;
        var seconds = SshdConfigValues.ParseTime(value[(eq + 1)..]);
        return seconds < 0 ? null : (value[..eq], seconds);
    }

    /// <summary>Seconds of inactivity after which a channel of <paramref name="type"/> closes; 0 for never.</summary>
    public int For(string type)
    {
        foreach (var (pattern, seconds) in _rules)
            if (SshConfigPatterns.Match(type, pattern))
                return seconds;
        return 0;
    }
}
