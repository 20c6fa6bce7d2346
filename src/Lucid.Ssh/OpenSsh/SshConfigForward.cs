using System.Globalization;
using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// One LocalForward / RemoteForward / DynamicForward (or -L/-R/-D) specification. A port of -2 with a path means
/// a Unix socket; a dynamic (SOCKS) forward has <see cref="ConnectHost"/> "socks" and no connect port.
/// </summary>
public sealed record SshConfigForward(string? ListenHost, int ListenPort, string? ListenPath,
    string? ConnectHost, int ConnectPort, string? ConnectPath)
{
    /// <summary>The port value OpenSSH uses to mark a Unix-domain socket endpoint.</summary>
    public const int StreamLocalPort = -2;

    public bool IsDynamic => ConnectHost == "socks" && ConnectPath is null && ConnectPort == 0;

    /// <summary>Parses a forwarding spec as OpenSSH's parse_forward does: "[listenhost:]port:host:hostport",
    /// socket paths, "[...]" for IPv6 literals and, when <paramref name="dynamic"/>, "[listenhost:]port".
    /// Null when the spec is invalid.</summary>
    public static SshConfigForward? Parse(string spec, bool dynamic, bool remote, Func<string, string?> environment)
    {
        if (SshConfigExpansion.TryExpand(spec, null, environment, out var expanded) is not null)
            return null;
        var cp = expanded!.TrimStart(' ', '\t', '\n', '\r', '\f', '\v');
        var fields = new List<(string Arg, bool IsPath)>();
        var pos = 0;
        var failed = false;
        while (fields.Count < 4)
        {
            if (pos >= cp.Length)
                break;
            if (!NextField(cp, ref pos, out var field))
            {
                failed = true;
                break;
            }
            fields.Add(field);
        }
        if (failed || pos < cp.Length)
            return null;

        string? lh = null, lp = null, ch = null, cpth = null;
        int lport = 0, cport = 0;
        var n = fields.Count;
        switch (n)
        {
            case 1:
                if (fields[0].IsPath) { lp = fields[0].Arg; lport = StreamLocalPort; }
                else lport = Port(fields[0].Arg);
                ch = "socks";
                break;
            case 2:
                if (fields[0].IsPath && fields[1].IsPath)
                {
                    lp = fields[0].Arg; lport = StreamLocalPort; cpth = fields[1].Arg; cport = StreamLocalPort;
                }
                else if (fields[1].IsPath)
                {
                    lport = Port(fields[0].Arg); cpth = fields[1].Arg; cport = StreamLocalPort;
                }
                else
                {
                    lh = fields[0].Arg; lport = Port(fields[1].Arg); ch = "socks";
                }
                break;
            case 3:
                if (fields[0].IsPath)
                {
                    lp = fields[0].Arg; lport = StreamLocalPort; ch = fields[1].Arg; cport = Port(fields[2].Arg);
                }
                else if (fields[2].IsPath)
                {
                    lh = fields[0].Arg; lport = Port(fields[1].Arg); cpth = fields[2].Arg; cport = StreamLocalPort;
                }
                else
                {
                    lport = Port(fields[0].Arg); ch = fields[1].Arg; cport = Port(fields[2].Arg);
                }
                break;
            case 4:
                lh = fields[0].Arg; lport = Port(fields[1].Arg); ch = fields[2].Arg; cport = Port(fields[3].Arg);
                break;
            default:
                return null;
        }
        if (dynamic)
        {
            if (n is not (1 or 2))
                return null;
        }
        else
        {
            if (n is not (3 or 4) && cpth is null && lp is null)
                return null;
            if (cport <= 0 && cpth is null)
                return null;
        }
        if ((lport < 0 && lp is null) || (!remote && lport == 0))
            return null;
        if ((ch?.Length ?? 0) >= 1025 || (lh?.Length ?? 0) >= 1025 || (cpth?.Length ?? 0) >= 108 || (lp?.Length ?? 0) >= 108)
            return null;
        return new SshConfigForward(lh, lport, lp, ch, cport, cpth);
    }

    private static bool NextField(string s, ref int pos, out (string, bool) field)
    {
        field = default;
        if (s[pos] == '[')
        {
            var isPath = false;
            var ep = pos + 1;
            for (; ep < s.Length && s[ep] != ']'; ep++)
                if (s[ep] == '/')
                    isPath = true;
            if (ep >= s.Length || (ep + 1 < s.Length && s[ep + 1] != ':'))
                return false;
            field = (s[(pos + 1)..ep], isPath);
            pos = ep + 1 < s.Length ? ep + 2 : ep + 1;
            return true;
        }
        var sb = new StringBuilder();
        var path = false;
        for (; pos < s.Length; pos++)
        {
            var c = s[pos];
            if (c == '\\')
            {
                pos++;
                if (pos >= s.Length)
                    return false;
                // The escaped character is taken literally: it neither ends the field nor marks a path.
                sb.Append(s[pos]);
                continue;
            }
            if (c == '/')
                path = true;
            if (c == ':')
            {
                pos++;
                field = (sb.ToString(), path);
                return true;
            }
            sb.Append(c);
        }
        field = (sb.ToString(), path);
        return true;
    }

    /// <summary>A port number 0-65535 or a service name from /etc/services; -1 when neither.</summary>
    internal static int Port(string s)
    {
        if (s.Length > 0 && s.All(char.IsAsciiDigit))
            return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 65535 ? (int)v : -1;
        if (s.Length > 0 && (s[0] is '-' or '+') && s.Length > 1 && s[1..].All(char.IsAsciiDigit))
            return s[0] == '+' && long.TryParse(s[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w <= 65535 ? (int)w : -1;
        return ServicePort(s);
    }

    private static int ServicePort(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/services"))
            {
                var text = line.Split('#')[0];
                var f = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 2 || !f[1].EndsWith("/tcp", StringComparison.Ordinal))
                    continue;
                if (f[0] == name || f.Skip(2).Contains(name))
                    return int.Parse(f[1][..^4], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }
}
