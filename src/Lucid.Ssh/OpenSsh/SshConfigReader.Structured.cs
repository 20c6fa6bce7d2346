namespace Lucid.Ssh.OpenSsh;

// Option parsers with structure of their own: remote-open lists, tun devices, canonical domains and CNAME rules,
// agent settings.
internal sealed partial class SshConfigReader
{
    private bool PermitRemoteOpen(LineContext c, bool active)
    {
        var hadAny = _o.PermittedRemoteOpens.Count != 0;
        var i = 0;
        while (c.Next() is { } arg)
        {
            if (arg.Equals("none", StringComparison.OrdinalIgnoreCase) || arg.Equals("any", StringComparison.OrdinalIgnoreCase))
            {
                if (i > 0 || c.Args.Count > 0)
                {
                    Error($"{c.At}: keyword {c.Keyword} \"{arg}\" argument must appear alone.");
                    return false;
                }
            }
            else
            {
                if (!SplitHostPort(arg, out _, out var port))
                    throw Fatal($"{c.At}: missing host in permitremoteopen");
                if (port is null || (port != "*" && SshConfigForward.Port(port) <= 0))
                    throw Fatal($"{c.At}: bad port number in permitremoteopen");
            }
            if (active && !hadAny)
                _o.PermittedRemoteOpens.Add(arg);
            i++;
        }
        if (i == 0)
            throw Fatal($"{c.At}: missing permitremoteopen specification");
        return true;
    }

    /// <summary>hpdelim: host and the text after the first ':' ([brackets] protect colons); false on a bad bracket or '/'.</summary>
    private static bool SplitHostPort(string s, out string host, out string? port)
    {
        port = null;
        var i = 0;
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
        if (s[i] != ':')
            return false;
        port = s[(i + 1)..];
        return true;
    }

    private static bool ParseTunnel(string s, out int local, out int remote)
    {
        remote = -0x7fffffff; // "any"
        var colon = s.IndexOf(':');
        if (colon >= 0)
        {
            remote = TunnelId(s[(colon + 1)..]);
            local = TunnelId(s[..colon]);
            return remote != int.MinValue && local != int.MinValue;
        }
        local = TunnelId(s);
        return local != int.MinValue;
    }

    /// <summary>A tun device number 0..0x7fffffff-2 or "any" (-0x7fffffff); int.MinValue when invalid.</summary>
    private static int TunnelId(string s)
    {
        if (s.Equals("any", StringComparison.OrdinalIgnoreCase))
            return -0x7fffffff;
        return AtoiError(s, out var v) is null && v <= 0x7fffffff - 2 ? v : int.MinValue;
    }

    private bool CanonicalDomains(LineContext c, bool active)
    {
        var hadAny = _o.CanonicalDomains.Count != 0;
        var i = 0;
        while (c.Next() is { } arg)
        {
            if (arg.Length == 0)
                return EmptyArgument(c);
            if (arg.Equals("none", StringComparison.OrdinalIgnoreCase) && (i > 0 || c.Args.Count > 0))
                return NoneAlone(c);
            i++;
            var domain = SshConfigJump.ValidDomain(arg, out var problem, makeLower: true);
            if (domain is null)
            {
                Error($"{c.At}: {problem}");
                return false;
            }
            if (!active || hadAny)
                continue;
            if (_o.CanonicalDomains.Count >= MaxCanonicalDomains)
            {
                Error($"{c.At}: too many hostname suffixes.");
                return false;
            }
            _o.CanonicalDomains.Add(domain);
        }
        return true;
    }

    private bool PermittedCnames(LineContext c, bool active)
    {
        var hadAny = _o.PermittedCnames.Count != 0;
        var i = 0;
        while (c.Next() is { } arg)
        {
            string source, target;
            if (arg.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                if (i > 0 || c.Args.Count > 0)
                    return NoneAlone(c);
                (source, target) = (arg, "");
            }
            else if (arg == "*")
                (source, target) = (arg, arg);
            else
            {
                var lower = SshConfigPatterns.AsciiLower(arg);
                var colon = lower.IndexOf(':');
                if (colon < 0 || colon == lower.Length - 1)
                {
                    Error($"{c.At}: Invalid permitted CNAME \"{lower}\"");
                    return false;
                }
                (source, target) = (lower[..colon], lower[(colon + 1)..]);
            }
            i++;
            if (!active || hadAny)
                continue;
            if (_o.PermittedCnames.Count >= MaxCanonicalDomains)
            {
                Error($"{c.At}: too many permitted CNAMEs.");
                return false;
            }
            _o.PermittedCnames.Add((source, target));
        }
        return true;
    }

    private bool AddKeysToAgent(LineContext c, bool active)
    {
        var arg = c.Next();
        var arg2 = c.Next();
        if (string.IsNullOrEmpty(arg))
            Error($"{c.At}: missing argument.");
        var value = string.IsNullOrEmpty(arg) ? -1 : SshConfigKeywords.ParseWord(arg, SshConfigKeywords.YesNoAskConfirm);
        var lifespan = 0;
        if (value == 3 && arg2 is not null)
        {
            if ((lifespan = ConvTime(arg2)) == -1)
            {
                Error($"{c.At}: invalid time value.");
                return false;
            }
        }
        else if (value == -1 && arg2 is null)
        {
            if (arg is null || (lifespan = ConvTime(arg)) == -1)
            {
                Error($"{c.At}: unsupported option");
                return false;
            }
            value = 1;
        }
        else if (value == -1 || arg2 is not null)
        {
            Error($"{c.At}: unsupported option");
            return false;
        }
        if (active && _o.AddKeysToAgent == -1)
        {
            _o.AddKeysToAgent = value;
            _o.AddKeysToAgentLifespan = lifespan;
        }
        return true;
    }

    private bool ForwardAgent(LineContext c, bool active)
    {
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
        {
            Error($"{c.At}: missing argument.");
            return false;
        }
        var value = SshConfigKeywords.ParseWord(arg, SshConfigKeywords.Flag);
        if (value != -1)
        {
            if (active && _o.ForwardAgent == -1)
                _o.ForwardAgent = value;
            return true;
        }
        // Not yes/no: a socket path to forward instead of $SSH_AUTH_SOCK.
        if (active && _o.ForwardAgent == -1)
            _o.ForwardAgent = 1;
        return AgentPath(c, arg, ref _o.ForwardAgentSockPath, active);
    }

    private bool AgentPath(LineContext c, string arg, ref string? field, bool active)
    {
        var problem = SshConfigExpansion.TryExpand(arg, null, Env, out _);
        if (problem is not null)
        {
            if (!problem.StartsWith("env var ", StringComparison.Ordinal))
            {
                Error($"vdollar_percent_expand: {problem}");
                Error($"{c.At}: Invalid environment expansion {arg}.");
                return false;
            }
            Error($"vdollar_percent_expand: {problem}");
        }
        if (arg.Length > 1 && arg[0] == '$' && arg[1] != '{' && !arg[1..].All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
        {
            Error($"{c.At}: Invalid environment name {arg}.");
            return false;
        }
        if (arg == "$")
        {
            Error($"{c.At}: Invalid environment name {arg}.");
            return false;
        }
        if (active && field is null)
            field = arg;
        return true;
    }
}
