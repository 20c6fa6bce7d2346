namespace Lucid.Ssh.OpenSsh;

/// <summary>ProxyJump / -J specs and the [user@]host[:port] and ssh://user@host:port forms they are made of.</summary>
internal static class SshConfigJump
{
    /// <summary>Parses a ProxyJump value into <paramref name="state"/> when <paramref name="active"/> and nothing set
    /// ProxyCommand or ProxyJump before; false when any hop is malformed (checked even when inactive).</summary>
    public static bool Apply(string s, SshConfigState state, bool active)
    {
        active &= state.ProxyCommand is null && state.JumpHost is null;
        var orig = s;
        var hash = orig.IndexOf('#');
        if (hash >= 0)
            orig = orig[..hash];
        orig = orig.TrimEnd(' ', '\t', '\r', '\n', '\f', '\v');

        string? user = null, host = null;
        var port = -1;
        var first = active;
        var remaining = orig;
        var isNone = string.Equals(s, "none", StringComparison.OrdinalIgnoreCase);
        while (!isNone)
        {
            var comma = remaining.LastIndexOf(',');
            var hop = comma < 0 ? remaining : remaining[(comma + 1)..];
            remaining = comma < 0 ? remaining : remaining[..comma];
            string? u, h;
            int p;
            var r = ParseSshUri(hop, out u, out h, out p);
            if (r == -1 || (r == 1 && !ParseUserHostPort(hop, out u, out h, out p)))
                return false;
            if (first)
                (user, host, port) = (u, h, p);
            first = false;
            if (comma < 0)
                break;
        }
        if (active)
        {
            if (isNone)
            {
                state.JumpHost = "none";
                state.JumpPort = 0;
            }
            else
            {
                state.JumpUser = user;
                state.JumpHost = host;
                state.JumpPort = port;
                state.ProxyCommand = "none";
                var lastComma = s.LastIndexOf(',');
                if (lastComma > 0)
                    state.JumpExtra = s[..lastComma];
            }
        }
        return true;
    }

    /// <summary>[user@]host[:port]; the host may be [bracketed]. False when malformed.</summary>
    public static bool ParseUserHostPort(string s, out string? user, out string? host, out int port)
    {
        user = null;
        host = null;
        port = -1;
        var tmp = s;
        var at = tmp.LastIndexOf('@');
        if (at >= 0)
        {
            if (at == 0)
                return false;
            user = tmp[..at];
            tmp = tmp[(at + 1)..];
        }
        if (!HostPortDelimit(tmp, out var h, out var rest, out var delim) || h.Length == 0 || delim == '/')
        {
            user = null;
            return false;
        }
        host = CleanHostName(h);
        if (!string.IsNullOrEmpty(rest))
        {
            port = SshConfigForward.Port(rest);
            if (port <= 0)
            {
                user = host = null;
                port = -1;
                return false;
            }
        }
        return true;
    }

    /// <summary>ssh://[user[;params]@]host[:port]: 0 parsed, 1 not a URI, -1 a bad URI (paths are refused).</summary>
    public static int ParseSshUri(string uri, out string? user, out string? host, out int port)
    {
        user = null;
        host = null;
        port = -1;
        const string scheme = "ssh://";
        if (!uri.StartsWith(scheme, StringComparison.Ordinal))
            return 1;
        var tmp = uri[scheme.Length..];
        var at = tmp.IndexOf('@');
        if (at >= 0)
        {
            var info = tmp[..at];
            var semi = info.IndexOf(';');
            if (semi >= 0)
                info = info[..semi];
            if (info.Length == 0)
                return -1;
            user = UrlDecode(info);
            if (user is null)
                return -1;
            tmp = tmp[(at + 1)..];
        }
        if (!HostPortDelimit(tmp, out var h, out var rest, out var delim) || h.Length == 0)
            return Fail(out user, out host, out port);
        host = CleanHostName(h);
        if (ValidDomain(host, out _) is null)
            return Fail(out user, out host, out port);
        if (!string.IsNullOrEmpty(rest))
        {
            if (delim == ':')
            {
                var slash = rest.IndexOf('/');
                var portText = slash < 0 ? rest : rest[..slash];
                port = SshConfigForward.Port(portText);
                if (port <= 0)
                    return Fail(out user, out host, out port);
                rest = slash < 0 ? null : rest[(slash + 1)..];
            }
            if (!string.IsNullOrEmpty(rest))
                return Fail(out user, out host, out port); // a path is not allowed in an ssh:// destination
        }
        return 0;
    }

    private static int Fail(out string? user, out string? host, out int port)
    {
        user = host = null;
        port = -1;
        return -1;
    }

    /// <summary>Splits host from what follows at the first ':' or '/', honouring [brackets].</summary>
    private static bool HostPortDelimit(string s, out string host, out string? rest, out char delim)
    {
        rest = null;
        delim = '\0';
        int i;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                host = "";
                return false;
            }
            i = close + 1;
        }
        else
        {
            i = s.IndexOfAny([':', '/']);
            if (i < 0)
                i = s.Length;
        }
        host = s[..Math.Min(i, s.Length)];
        if (i >= s.Length)
            return true;
        if (s[i] is ':' or '/')
        {
            delim = s[i];
            rest = s[(i + 1)..];
            return true;
        }
        return false;
    }

    public static string CleanHostName(string host) =>
        host.Length >= 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;

    private static string? UrlDecode(string s)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '+')
                sb.Append(' ');
            else if (s[i] == '%')
            {
                if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2]))
                    return null;
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
                sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>OpenSSH's domain-name check; returns the name (trailing dot removed) or null with the reason.</summary>
    public static string? ValidDomain(string name, out string? error, bool makeLower = false)
    {
        error = null;
        if (name.Length == 0)
        {
            error = "empty domain name";
            return null;
        }
        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            error = $"domain name \"{name}\" starts with invalid character";
            return null;
        }
        var chars = name.ToCharArray();
        var last = '\0';
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i] is >= 'A' and <= 'Z' ? (char)(chars[i] + 32) : chars[i];
            if (makeLower)
                chars[i] = c;
            if (last == '.' && c == '.')
            {
                error = $"domain name \"{new string(chars)}\" contains consecutive separators";
                return null;
            }
            if (c != '.' && c != '-' && !char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                error = $"domain name \"{new string(chars)}\" contains invalid characters";
                return null;
            }
            last = c;
        }
        var result = new string(chars);
        return result.EndsWith('.') ? result[..^1] : result;
    }
}
