using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

// The value parsers shared by many keywords, each with OpenSSH's checks and messages.
internal sealed partial class SshConfigReader
{
    private bool Missing(LineContext c)
    {
        Error($"{c.At}: Missing argument.");
        return false;
    }

    private bool EmptyArgument(LineContext c)
    {
        Error($"{c.At}: keyword {c.Keyword} empty argument");
        return false;
    }

    private bool NoneAlone(LineContext c)
    {
        Error($"{c.At}: keyword {c.Keyword} \"none\" argument must appear alone.");
        return false;
    }

    private bool Time(LineContext c, ref int field, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
        {
            Error($"{c.At}: missing time value.");
            return false;
        }
        int value;
        if (arg == "none")
            value = -1;
        else if ((value = ConvTime(arg)) == -1)
        {
            Error($"{c.At}: invalid time value.");
            return false;
        }
        if (active && field == -1)
            field = value;
        return true;
    }

    private bool Multi(LineContext c, ref int field, (string Word, int Value)[] table, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            Error($"{c.At}: missing argument.");
        var value = string.IsNullOrEmpty(arg) ? -1 : SshConfigKeywords.ParseWord(arg, table);
        if (value == -1)
        {
            Error($"{c.At}: unsupported option \"{arg ?? "(null)"}\".");
            return false;
        }
        if (active && field == -1)
            field = value;
        return true;
    }

    private bool Int(LineContext c, ref int field, bool active)
    {
        var arg = c.Next();
        var problem = AtoiError(arg, out var value);
        if (problem is not null)
        {
            Error($"{c.At}: integer value {problem}.");
            return false;
        }
        if (active && field == -1)
            field = value;
        return true;
    }

    /// <summary>strtonum(0, INT_MAX) as OpenSSH reports it: null when fine, else "missing", "invalid", "too small", "too large".</summary>
    private static string? AtoiError(string? s, out int value)
    {
        value = 0;
        if (string.IsNullOrEmpty(s))
            return "missing";
        var t = s.TrimStart(' ', '\t', '\n', '\r', '\f', '\v');
        var negative = t.StartsWith('-');
        if (t.StartsWith('-') || t.StartsWith('+'))
            t = t[1..];
        if (t.Length == 0 || !t.All(char.IsAsciiDigit))
            return "invalid";
        if (!System.Numerics.BigInteger.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var big))
            return "invalid";
        if (negative)
            big = -big;
        if (big < 0)
            return "too small";
        if (big > int.MaxValue)
            return "too large";
        value = (int)big;
        return null;
    }

    private bool Str(LineContext c, ref string? field, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        if (active && field is null)
            field = arg;
        return true;
    }

    /// <summary>Commands keep the rest of the line verbatim (quotes and all), only leading blanks and '=' dropped.</summary>
    private static bool Command(LineContext c, ref string? field, bool active)
    {
        var value = c.Raw.TrimStart(' ', '\t', '\r', '\n', '=');
        if (active && field is null)
            field = value;
        c.ConsumeAll();
        return true;
    }

    /// <summary>OpenSSH's time format: a sequence of numbers each with an optional s/m/h/d/w unit; -1 when invalid.</summary>
    internal static int ConvTime(string s)
    {
        if (s.Length == 0)
            return -1;
        long total = 0;
        var p = 0;
        while (p < s.Length)
        {
            var start = p;
            while (p < s.Length && char.IsWhiteSpace(s[p]))
                p++;
            var negative = false;
            if (p < s.Length && s[p] is '+' or '-')
                negative = s[p++] == '-';
            var digitsStart = p;
            long secs = 0;
            while (p < s.Length && char.IsAsciiDigit(s[p]))
            {
                secs = Math.Min(secs * 10 + (s[p] - '0'), (long)int.MaxValue + 1);
                p++;
            }
            if (p == digitsStart || (negative && secs > 0) || secs >= int.MaxValue)
                return -1;
            _ = start;
            long multiplier = 1;
            if (p < s.Length)
            {
                multiplier = s[p] switch
                {
                    's' or 'S' => 1,
                    'm' or 'M' => 60,
                    'h' or 'H' => 3600,
                    'd' or 'D' => 86400,
                    'w' or 'W' => 604800,
                    _ => -1,
                };
                if (multiplier < 0)
                    return -1;
                p++;
            }
            if (secs > int.MaxValue / multiplier)
                return -1;
            secs *= multiplier;
            if (total > int.MaxValue - secs)
                return -1;
            total += secs;
        }
        return (int)total;
    }

    private bool RekeyLimit(LineContext c, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        long value;
        if (arg == "default")
            value = 0;
        else
        {
            var problem = ScanScaled(arg, out value);
            if (problem is not null)
            {
                Error($"{c.At}: Bad number '{arg}': {problem}");
                return false;
            }
            if (value != 0 && value < 16)
            {
                Error($"{c.At}: RekeyLimit too small");
                return false;
            }
        }
        if (active && _o.RekeyLimit == -1)
            _o.RekeyLimit = value;
        if (c.Args.Count == 0)
            return true;
        if (c.Args.Peek() == "none")
        {
            c.Next();
            return true;
        }
        return Time(c, ref _o.RekeyInterval, active);
    }

    /// <summary>scan_scaled(3): a number, optionally with a fraction, and one of B K M G T P E (powers of 1024).</summary>
    private static string? ScanScaled(string s, out long value)
    {
        value = 0;
        var t = s.Trim();
        var i = 0;
        var negative = false;
        if (i < t.Length && t[i] is '+' or '-')
            negative = t[i++] == '-';
        var intStart = i;
        while (i < t.Length && char.IsAsciiDigit(t[i]))
            i++;
        var intPart = t[intStart..i];
        var fracPart = "";
        if (i < t.Length && t[i] == '.')
        {
            var f = ++i;
            while (i < t.Length && char.IsAsciiDigit(t[i]))
                i++;
            fracPart = t[f..i];
        }
        if (intPart.Length == 0 && fracPart.Length == 0)
            return "Invalid argument";
        var shift = 0;
        if (i < t.Length)
        {
            shift = char.ToUpperInvariant(t[i]) switch
            {
                'B' => 0, 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => -1,
            };
            if (shift < 0 || i + 1 != t.Length)
                return "Invalid argument";
        }
        else if (fracPart.Length > 0)
            return "Invalid argument";
        decimal number;
        try
        {
            number = decimal.Parse((intPart.Length == 0 ? "0" : intPart) + (fracPart.Length > 0 ? "." + fracPart : ""),
                CultureInfo.InvariantCulture);
            number *= (decimal)Math.Pow(2, shift);
        }
        catch (OverflowException)
        {
            return "Numerical result out of range";
        }
        if (number > long.MaxValue)
            return "Numerical result out of range";
        value = (long)decimal.Truncate(number) * (negative ? -1 : 1);
        return null;
    }

    private bool FileList(LineContext c, List<(string Path, bool UserProvided)> list, int max, string what, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        if (!active)
            return true;
        if (list.Count >= max)
        {
            Error($"{c.At}: Too many {what} files specified (max {max}).");
            return false;
        }
        var userProvided = c.Flags.HasFlag(SshConfigReadFlags.UserConfig);
        if (list.Contains((arg, userProvided)))
            Debug(2, $"add_{what}_file: ignoring duplicate key {arg}");
        else
            list.Add((arg, userProvided));
        return true;
    }

    private bool StringArray(LineContext c, List<string> list, int max, bool active)
    {
        var i = 0;
        var wasEmpty = list.Count == 0;
        while (c.Next() is { } arg)
        {
            if (arg.Length == 0)
                return EmptyArgument(c);
            if (arg.Equals("none", StringComparison.OrdinalIgnoreCase) && (i > 0 || c.Args.Count > 0))
                return NoneAlone(c);
            i++;
            if (active && wasEmpty)
            {
                if (list.Count >= max)
                {
                    Error($"{c.At}: too many {c.Keyword} entries.");
                    return false;
                }
                list.Add(arg);
            }
        }
        return true;
    }

    private bool Algorithms(LineContext c, ref string? field, bool active, Func<string, bool> valid, Func<string, string> message)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        if (arg[0] != '-' && !valid(arg[0] is '+' or '^' ? arg[1..] : arg))
        {
            Error($"{c.At}: {message(arg)}");
            return false;
        }
        if (active && field is null)
            field = arg;
        return true;
    }

    private bool KexValid(string names, string all)
    {
        if (names.Length == 0)
            return false;
        if (SshConfigAlgorithms.AllKnown(names, all, out var unknown))
            return true;
        if (unknown is not null)
            Error($"Unsupported KEX algorithm \"{Truncate(unknown, 100)}\"");
        return false;
    }

    private bool KeyAlgorithms(LineContext c, ref string? field, bool active) =>
        Algorithms(c, ref field, active, n => SshConfigAlgorithms.KeyNamesValid(n, _options.Algorithms.AllKeyAlgorithms),
            a => $"Bad key types '{a}'.");

    private bool Forward(SshConfigKeyword opcode, LineContext c, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        var remote = opcode == SshConfigKeyword.RemoteForward;
        var dynamic = opcode == SshConfigKeyword.DynamicForward;
        var spec = arg;
        if (!dynamic)
        {
            var arg2 = c.Next();
            if (string.IsNullOrEmpty(arg2))
            {
                if (remote)
                    dynamic = true;
                else
                {
                    Error($"{c.At}: Missing target argument.");
                    return false;
                }
            }
            else
                spec = arg + ":" + arg2;
        }
        // OpenSSH builds the combined spec in a 256-byte buffer.
        if (spec.Length > 255)
            spec = spec[..255];
        var fwd = SshConfigForward.Parse(spec, dynamic, remote, Env);
        if (fwd is null)
        {
            Error($"{c.At}: Bad forwarding specification.");
            return false;
        }
        if (active)
        {
            var list = remote ? _o.RemoteForwards : _o.LocalForwards;
            if (!list.Contains(fwd))
                list.Add(fwd);
        }
        return true;
    }
}
