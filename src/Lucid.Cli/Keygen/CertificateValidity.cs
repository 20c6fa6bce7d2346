using System.Globalization;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -V: a certificate's validity interval in every form OpenSSH accepts — "+52w" (from a minute ago,
/// rounded down to the minute, for clock skew), or "from:to" where each side is a relative time ("-1d", "+1h"),
/// an absolute date (YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS; local time, or UTC with a Z/UTC suffix), a hex
/// number of seconds ("0x..."), "always" (from) or "forever" (to).
/// </summary>
internal readonly record struct CertificateValidity(ulong From, ulong To)
{
    public static CertificateValidity Forever => new(0, ulong.MaxValue);

    /// <summary>Parses like parse_cert_times(); a bad specification is fatal with OpenSSH's message.</summary>
    public static CertificateValidity Parse(string spec, DateTimeOffset now)
    {
        long nowSeconds = now.ToUnixTimeSeconds();
        if (spec.StartsWith('+') && !spec.Contains(':'))
        {
            int seconds = SshConfigReader.ConvTime(spec[1..]);
            if (seconds == -1)
                throw new KeygenFatalException($"Invalid relative certificate life {spec}");
            return new((ulong)((nowSeconds - 59) / 60 * 60), (ulong)(nowSeconds + seconds));
        }
        int colon = spec.IndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1)
            throw new KeygenFatalException($"Invalid certificate life specification {spec}");
        string from = spec[..colon], to = spec[(colon + 1)..];

        ulong validFrom = from[0] is '-' or '+' ? Relative(from, nowSeconds)
            : from == "always" ? 0
            : from.StartsWith("0x", StringComparison.Ordinal) ? Hex(from)
            : Absolute(from) ?? throw new KeygenFatalException($"Invalid from time \"{from}\"");
        ulong validTo = to[0] is '-' or '+' ? Relative(to, nowSeconds)
            : to == "forever" ? ulong.MaxValue
            : to.StartsWith("0x", StringComparison.Ordinal) ? Hex(to)
            : Absolute(to) ?? throw new KeygenFatalException($"Invalid to time \"{to}\"");
        if (validTo <= validFrom)
            throw new KeygenFatalException("Empty certificate validity interval");
        return new(validFrom, validTo);
    }

    // parse_relative_time: "+N" or "-N" (convtime units) from now.
    private static ulong Relative(string s, long now)
    {
        int seconds = SshConfigReader.ConvTime(s[1..]);
        if (seconds == -1)
            throw new KeygenFatalException($"Invalid relative certificate time {s}");
        if (s[0] == '-' && seconds > now)
            throw new KeygenFatalException($"Certificate time {s} cannot be represented");
        return (ulong)(now + (s[0] == '-' ? -seconds : seconds));
    }

    // parse_hex_u64: strtoull base 16, the whole string.
    private static ulong Hex(string s)
    {
        string digits = s[2..];
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
            throw new KeygenFatalException("Invalid certificate time: not a number");
        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value))
            throw new KeygenFatalException("parse_hex_u64: Invalid certificate time: Numerical result out of range");
        return value;
    }

    /// <summary>misc.c parse_absolute_time: YYYYMMDD[HHMM[SS]], local time unless it ends in Z or UTC; null when malformed.</summary>
    public static ulong? Absolute(string s)
    {
        bool utc = false;
        if (s.Length > 1 && s.EndsWith("Z", StringComparison.OrdinalIgnoreCase))
        {
            utc = true;
            s = s[..^1];
        }
        else if (s.Length > 3 && s.EndsWith("UTC", StringComparison.OrdinalIgnoreCase))
        {
            utc = true;
            s = s[..^3];
        }
        if (s.Length is not (8 or 12 or 14) || !s.All(char.IsAsciiDigit))
            return null;
        int Field(int start, int length) => int.Parse(s.AsSpan(start, length), CultureInfo.InvariantCulture);
        int year = Field(0, 4), month = Field(4, 2), day = Field(6, 2);
        int hour = s.Length > 8 ? Field(8, 2) : 0, minute = s.Length > 8 ? Field(10, 2) : 0, second = s.Length > 12 ? Field(12, 2) : 0;
        // strptime's ranges; mktime then normalises (the 31st of February is the 3rd of March).
        if (year < 1970 || month is < 1 or > 12 || day is < 1 or > 31 || hour > 23 || minute > 59 || second > 60)
            return null;
        var wall = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(day - 1).AddHours(hour).AddMinutes(minute).AddSeconds(second);
        var offset = utc ? TimeSpan.Zero : TimeZoneInfo.Local.GetUtcOffset(wall);
        long seconds = new DateTimeOffset(wall, offset).ToUnixTimeSeconds();
        return seconds < 0 ? null : (ulong)seconds;
    }
}
