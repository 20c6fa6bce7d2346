using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The options in front of a key in authorized_keys (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"; auth-options.c).
/// Defaults allow everything; `restrict` turns every permission off, later `pty` etc. turn single ones back on.
/// </summary>
public sealed partial class AuthorizedKeysOptions
{
    public bool Restricted { get; private set; }
    public bool CertAuthority { get; private set; }
    public bool PermitPortForwarding { get; private set; } = true;
    public bool PermitAgentForwarding { get; private set; } = true;
    public bool PermitX11Forwarding { get; private set; } = true;
    public bool PermitPty { get; private set; } = true;
    public bool PermitUserRc { get; private set; } = true;
    public bool NoTouchRequired { get; private set; }
    public bool VerifyRequired { get; private set; }
    /// <summary>command="...": run this instead of what the client asks for.</summary>
    public string? ForceCommand { get; private set; }
    public string? Principals { get; private set; }
    /// <summary>from="pattern-list": host name and address patterns the client must match.</summary>
    public string? From { get; private set; }
    /// <summary>expiry-time="YYYYMMDD[HHMM[SS]][Z]": the key stops working after this instant.</summary>
    public DateTimeOffset? ExpiryTime { get; private set; }
    /// <summary>environment="NAME=value" entries; the first for a name wins.</summary>
    public IReadOnlyList<string> Environment => _environment;
    public IReadOnlyList<string> PermitOpen => _permitOpen;
    public IReadOnlyList<string> PermitListen => _permitListen;
    public string? Tunnel { get; private set; }

    private readonly List<string> _environment = [];
    private readonly List<string> _permitOpen = [];
    private readonly List<string> _permitListen = [];

    public static AuthorizedKeysOptions None { get; } = new();

    /// <summary>Parses an option string; on failure returns null and sshd's reason ("unknown key option", "missing end quote", ...).</summary>
    public static AuthorizedKeysOptions? Parse(string options, out string? error)
    {
        error = null;
        var o = new AuthorizedKeysOptions();
        var s = options;
        var i = 0;
        while (i < s.Length && s[i] is not (' ' or '\t'))
        {
            int r;
            if ((r = Flag("restrict", false)) != -1)
            {
                o.Restricted = true;
                o.PermitPortForwarding = o.PermitAgentForwarding = o.PermitX11Forwarding = o.PermitPty = o.PermitUserRc = false;
            }
            else if ((r = Flag("cert-authority", false)) != -1) o.CertAuthority = r == 1;
            else if ((r = Flag("port-forwarding", true)) != -1) o.PermitPortForwarding = r == 1;
            else if ((r = Flag("agent-forwarding", true)) != -1) o.PermitAgentForwarding = r == 1;
            else if ((r = Flag("x11-forwarding", true)) != -1) o.PermitX11Forwarding = r == 1;
            else if ((r = Flag("touch-required", true)) != -1) o.NoTouchRequired = r != 1;
            else if ((r = Flag("verify-required", true)) != -1) o.VerifyRequired = r == 1;
            else if ((r = Flag("pty", true)) != -1) o.PermitPty = r == 1;
            else if ((r = Flag("user-rc", true)) != -1) o.PermitUserRc = r == 1;
            else if (Match("command"))
            {
                if (o.ForceCommand is not null)
                    return Fail("multiple \"command\" clauses", out error);
                if ((o.ForceCommand = Dequote(out error)) is null)
                    return null;
            }
            else if (Match("principals"))
            {
                if (o.Principals is not null)
                    return Fail("multiple \"principals\" clauses", out error);
                if ((o.Principals = Dequote(out error)) is null)
                    return null;
            }
            else if (Match("from"))
            {
                if (o.From is not null)
                    return Fail("multiple \"from\" clauses", out error);
                if ((o.From = Dequote(out error)) is null)
                    return null;
            }
            else if (Match("expiry-time"))
            {
                var text = Dequote(out error);
                if (text is null)
                    return null;
                if (ParseAbsoluteTime(text) is not { } when)
                    return Fail("invalid expires time", out error);
                if (o.ExpiryTime is null || when < o.ExpiryTime)
                    o.ExpiryTime = when;
            }
            else if (Match("environment"))
            {
                var text = Dequote(out error);
                if (text is null)
                    return null;
                var eq = text.IndexOf('=');
                if (eq <= 0 || !text[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    return Fail("invalid environment string", out error);
                var prefix = text[..(eq + 1)];
                if (!o._environment.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)))
                    o._environment.Add(text);
            }
            else if (Match("permitopen"))
            {
                if (!Permit(o._permitOpen, false, out error))
                    return null;
            }
            else if (Match("permitlisten"))
            {
                if (!Permit(o._permitListen, true, out error))
                    return null;
            }
            else if (Match("tunnel"))
            {
                var text = Dequote(out error);
                if (text is null)
                    return null;
                if (text != "any" && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    return Fail("invalid tun device", out error);
                o.Tunnel = text;
            }

            if (i >= s.Length || s[i] is ' ' or '\t')
                break;
            if (s[i] != ',')
                return Fail("unknown key option", out error);
            i++;
            if (i >= s.Length)
                return Fail("unexpected end-of-options", out error);
        }
        return o;

        int Flag(string name, bool allowNegate)
        {
            var at = i;
            var negate = false;
            if (allowNegate && string.Compare(s, at, "no-", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
            {
                at += 3;
                negate = true;
            }
            if (string.Compare(s, at, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0 && at + name.Length <= s.Length)
            {
                i = at + name.Length;
                return negate ? 0 : 1;
            }
            return -1;
        }

        bool Match(string term)
        {
            if (i + term.Length < s.Length && string.Compare(s, i, term, 0, term.Length, StringComparison.OrdinalIgnoreCase) == 0 &&
                s[i + term.Length] == '=')
            {
                i += term.Length + 1;
                return true;
            }
            return false;
        }

        string? Dequote(out string? why)
        {
            why = null;
            if (i >= s.Length || s[i] != '"')
            {
                why = "missing start quote";
                return null;
            }
            i++;
            var value = new System.Text.StringBuilder();
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '"')
                    i++;
                value.Append(s[i++]);
            }
            if (i >= s.Length)
            {
                why = "missing end quote";
                return null;
            }
            i++;
            return value.ToString();
        }

        bool Permit(List<string> list, bool bareport, out string? why)
        {
            var text = Dequote(out why);
            if (text is null)
                return false;
            if (bareport && !text.Contains(':'))
                text = "*:" + text;
            var colon = text.LastIndexOf(':');
            var port = colon < 0 ? "" : text[(colon + 1)..];
            if (colon <= 0 || text[..colon].Trim('[', ']').Length == 0)
            {
                why = "invalid permission hostname";
                return false;
            }
            if (port != "*" && SshdConfigValues.ParsePort(port) <= 0)
            {
                why = "invalid permission port";
                return false;
            }
            list.Add(text);
            return true;
        }
    }

    private static AuthorizedKeysOptions? Fail(string reason, out string? error)
    {
        error = reason;
        return null;
    }

    /// <summary>misc.c parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, local time unless it ends in Z or UTC.</summary>
    internal static DateTimeOffset? ParseAbsoluteTime(string s)
    {
        var utc = false;
        if (s.Length > 1 && s.EndsWith('Z') || s.EndsWith('z'))
        {
            utc = true;
            s = s[..^1];
        }
        else if (s.Length > 3 && s.EndsWith("UTC", StringComparison.OrdinalIgnoreCase))
        {
            utc = true;
            s = s[..^3];
        }
        var format = s.Length switch
        {
            8 => "yyyyMMdd",
            12 => "yyyyMMddHHmm",
            14 => "yyyyMMddHHmmss",
            _ => null,
        };
        if (format is null || !DateTime.TryParseExact(s, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            return null;
        return utc ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Local));
    }
}
