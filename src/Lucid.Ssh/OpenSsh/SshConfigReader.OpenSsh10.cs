namespace Lucid.Ssh.OpenSsh;

// Options OpenSSH 10 added to ssh_config, with its checks and messages (readconf.c of 10.5).
internal sealed partial class SshConfigReader
{
    /// <summary>OpenSSH 10's message for a keyword given no value at all (it then counts the line as bad).</summary>
    private bool NoArgument(LineContext c)
    {
        Error($"{c.At}: no argument after keyword \"{c.Keyword.ToLowerInvariant()}\"");
        return false;
    }

    /// <summary>The default ObscureKeystrokeTiming interval (ms), what "yes" means.</summary>
    internal const int KeystrokeIntervalDefault = 20;

    /// <summary>VersionAddendum: the rest of the line, "none" for nothing.</summary>
    private bool VersionAddendum(LineContext c, bool active)
    {
        if (c.Args.Count == 0)
            return NoArgument(c);
        var value = c.Raw.TrimStart(' ', '\t', '\r', '\n', '=');
        if (value.Length == 0)
            throw Fatal($"{c.At}: {c.Keyword} missing argument.");
        if (value.Contains('\r'))
            throw Fatal($"{c.At}: Invalid {c.Keyword} argument");
        // OpenSSH 10.5 cuts its copy of the line at a '#' but keeps the value it already took, comment and all.
        if (active && _o.VersionAddendum is null)
            _o.VersionAddendum = value.Equals("none", StringComparison.OrdinalIgnoreCase) ? "" : value;
        c.ConsumeAll();
        return true;
    }

    /// <summary>ObscureKeystrokeTiming yes|no|interval:MS (1..1000).</summary>
    private bool ObscureKeystrokeTiming(LineContext c, bool active)
    {
        if (c.Args.Count == 0)
            return NoArgument(c);
        var value = -1;
        while (c.Next() is { } arg)
        {
            if (value != -1)
            {
                Error($"{c.At}: invalid arguments");
                return false;
            }
            if (arg is "yes" or "true")
                value = KeystrokeIntervalDefault;
            else if (arg is "no" or "false")
                value = 0;
            else if (arg.StartsWith("interval:", StringComparison.Ordinal))
            {
                if (AtoiError(arg[9..], out value) is { } why)
                {
                    Error($"{c.At}: integer value {why}.");
                    return false;
                }
                if (value is <= 0 or > 1000)
                {
                    Error($"{c.At}: value out of range.");
                    return false;
                }
            }
            else
            {
                Error($"{c.At}: unsupported argument \"{arg}\"");
                return false;
            }
        }
        if (value == -1)
        {
            Error($"{c.At}: missing argument");
            return false;
        }
        if (active && _o.ObscureKeystrokeTiming == -1)
            _o.ObscureKeystrokeTiming = value;
        return true;
    }

    /// <summary>ChannelTimeout type=interval ... or none (first line wins).</summary>
    private bool ChannelTimeout(LineContext c, bool active)
    {
        if (c.Args.Count == 0)
            return NoArgument(c);
        var found = _o.ChannelTimeouts.Count == 0;
        var values = new List<string>();
        while (c.Next() is { } arg)
        {
            if (arg.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                if (values.Count > 0 || c.Args.Count > 0)
                    return NoneAlone(c);
            }
            else if (ChannelTimeouts.ParseRule(arg) is null)
                throw Fatal($"{c.At}: invalid channel timeout {arg}");
            values.Add(arg);
        }
        if (values.Count == 0)
            throw Fatal($"{c.At}: no {c.Keyword} specified");
        if (found && active)
            _o.ChannelTimeouts.AddRange(values);
        return true;
    }

    /// <summary>RefuseConnection MESSAGE: ssh stops with the message when the line applies.</summary>
    private bool RefuseConnection(LineContext c, bool active)
    {
        if (c.Args.Count == 0)
            return NoArgument(c);
        var arg = c.Next();
        if (string.IsNullOrEmpty(arg))
            return Missing(c);
        if (active)
            throw Fatal($"{c.At}: RefuseConnection: {arg}");
        return true;
    }
}
