using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// PerSourcePenalties as OpenSSH 10 defines it (sshd_config(5)): how long a source address range is refused
/// after each kind of misbehaviour, the threshold before refusals begin, the cap, and what happens when the
/// table of penalised ranges is full. Durations are seconds.
/// </summary>
public sealed record SshdPenaltySettings
{
    public bool Enabled { get; init; } = true;
    public double Crash { get; init; } = 90;
    public double AuthFail { get; init; } = 5;
    public double NoAuth { get; init; } = 1;
    public double InvalidUser { get; init; } = 5;
    public double GraceExceeded { get; init; } = 10;
    public double RefuseConnection { get; init; } = 10;
    public double Max { get; init; } = 600;
    public double Min { get; init; } = 15;
    public int MaxSources4 { get; init; } = 65536;
    public int MaxSources6 { get; init; } = 65536;
    /// <summary>True for overflow:deny-all, false for overflow:permissive (the default).</summary>
    public bool DenyAllOnOverflow4 { get; init; }
    public bool DenyAllOnOverflow6 { get; init; }

    // The store keys each sub-option is kept under; "persourcepenalties" itself holds yes/no.
    internal const string Keyword = "persourcepenalties";
    private static readonly string[] Durations = ["crash", "authfail", "invaliduser", "noauth", "grace-exceeded", "refuseconnection", "max", "min"];

    internal static SshdPenaltySettings From(SshdConfig c)
    {
        double D(string name, double fallback) =>
            c.Values($"{Keyword}.{name}") is [var v, ..] ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        int I(string name, int fallback) =>
            c.Values($"{Keyword}.{name}") is [var v, ..] ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var defaults = new SshdPenaltySettings();
        var overflow4 = c.Values($"{Keyword}.overflow") is ["deny-all", ..];
        return new SshdPenaltySettings
        {
            Enabled = c.Values(Keyword) is not ["no", ..],
            Crash = D("crash", defaults.Crash),
            AuthFail = D("authfail", defaults.AuthFail),
            NoAuth = D("noauth", defaults.NoAuth),
            InvalidUser = D("invaliduser", defaults.InvalidUser),
            GraceExceeded = D("grace-exceeded", defaults.GraceExceeded),
            RefuseConnection = D("refuseconnection", defaults.RefuseConnection),
            Max = D("max", defaults.Max),
            Min = D("min", defaults.Min),
            MaxSources4 = I("max-sources4", defaults.MaxSources4),
            MaxSources6 = I("max-sources6", defaults.MaxSources6),
            DenyAllOnOverflow4 = overflow4,
            DenyAllOnOverflow6 = c.Values($"{Keyword}.overflow6") is [var six, ..] ? six == "deny-all" : overflow4,
        };
    }

    /// <summary>servconf.c's sPerSourcePenalties case: yes/no alone, or any number of name:value words.</summary>
    internal static void Parse(IReadOnlyList<string> args, SshdConfigStore store, bool active, string keyword, Func<string, string> fatal)
    {
        if (args.Count == 0)
            fatal($"no {keyword} specified");
        if (Unknown(args) is { } unknown)
            fatal($"unsupported {keyword} keyword {unknown}");
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Equals("no", StringComparison.OrdinalIgnoreCase) || arg.Equals("yes", StringComparison.OrdinalIgnoreCase))
            {
                if (i + 1 < args.Count)
                    fatal($"keyword {keyword} \"{arg}\" argument must appear alone.");
                if (active) store.SetFirst(Keyword, arg.ToLowerInvariant());
                continue;
            }
            var colon = arg.IndexOf(':');
            var name = colon < 0 ? arg : arg[..colon];
            var value = colon < 0 ? "" : arg[(colon + 1)..];
            string stored;
            if (colon > 0 && Durations.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var seconds = ParseDuration(value);
                if (seconds < 0)
                    fatal($"invalid {keyword} time value.");
                name = name.ToLowerInvariant();
                stored = seconds.ToString("R", CultureInfo.InvariantCulture);
            }
            else if (colon > 0 && name is "max-sources4" or "max-sources6")
            {
                var n = SshdConfigValues.ParseInt(value, out var why);
                if (why is not null)
                    fatal($"{keyword} value {why}.");
                stored = n.ToString(CultureInfo.InvariantCulture);
            }
            else
                stored = value;
            var key = $"{Keyword}.{name}";
            if (active && !store.IsSet(key))
            {
                store.Replace(key, stored);
                // Any setting switches penalties on, even after an earlier "no" (as sshd does).
                store.Replace(Keyword, "yes");
            }
        }
    }

    /// <summary>The first argument sshd would refuse, or null.</summary>
    private static string? Unknown(IReadOnlyList<string> args)
    {
        foreach (var arg in args)
        {
            if (arg.Equals("no", StringComparison.OrdinalIgnoreCase) || arg.Equals("yes", StringComparison.OrdinalIgnoreCase)
                || arg is "overflow:deny-all" or "overflow:permissive" or "overflow6:deny-all" or "overflow6:permissive")
                continue;
            var colon = arg.IndexOf(':');
            var name = colon < 0 ? "" : arg[..colon];
            if (colon > 0 && (Durations.Contains(name, StringComparer.OrdinalIgnoreCase) || name is "max-sources4" or "max-sources6"))
                continue;
            return arg;
        }
        return null;
    }

    /// <summary>misc.c convtime_double: "90", "1.5s", "2m", "1h30m"; -1 when malformed.</summary>
    internal static double ParseDuration(string s)
    {
        if (s.Length == 0)
            return -1;
        double total = 0;
        var seenSeconds = false;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                i++;
            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return -1;
            double multiplier;
            if (i == s.Length || char.ToLowerInvariant(s[i]) == 's')
            {
                if (seenSeconds)
                    return -1;
                seenSeconds = true;
                multiplier = 1;
            }
            else
                multiplier = char.ToLowerInvariant(s[i]) switch { 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => -1 };
            if (multiplier < 0)
                return -1;
            if (i < s.Length)
                i++;
            total += n * multiplier;
        }
        return total;
    }

    /// <summary>The `sshd -T` line, in OpenSSH 10.5's words and order.</summary>
    internal string Dump()
    {
        if (!Enabled)
            return "persourcepenalties no";
        static string F(double d) => d.ToString("F6", CultureInfo.InvariantCulture);
        static string Mode(bool denyAll) => denyAll ? "deny-all" : "permissive";
        return $"persourcepenalties crash:{F(Crash)} authfail:{F(AuthFail)} noauth:{F(NoAuth)} invaliduser:{F(InvalidUser)} " +
            $"grace-exceeded:{F(GraceExceeded)} refuseconnection:{F(RefuseConnection)} max:{F(Max)} min:{F(Min)} " +
            $"max-sources4:{MaxSources4} max-sources6:{MaxSources6} overflow:{Mode(DenyAllOnOverflow4)} overflow6:{Mode(DenyAllOnOverflow6)}";
    }
}
