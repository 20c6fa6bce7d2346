namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Evaluates one `Match` line (servconf.c match_cfg_line): every criterion must hold. With no connection
/// (the load-time pass) only `Match all` is true, but the criteria are still checked for syntax.
/// </summary>
internal static class SshdConfigMatch
{
    /// <summary>1 when the block applies, 0 when not, -1 when the line is malformed (<paramref name="error"/> says why).</summary>
    public static int Evaluate(IReadOnlyList<string> args, int line, SshdMatchContext? ci, out bool consumedAll, out string? error)
    {
        consumedAll = true;
        error = null;
        var result = 1;
        var attributes = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var attribute = args[i];
            attributes++;
            if (attribute.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                if (attributes > 1 || i + 1 < args.Count)
                {
                    error = "'all' cannot be combined with other Match attributes";
                    return -1;
                }
                return 1;
            }
            if (attribute.Equals("invalid-user", StringComparison.OrdinalIgnoreCase))
            {
                // Takes no argument: true when the user named at login has no account.
                if (ci is null || !ci.InvalidUser)
                    result = 0;
                continue;
            }
            if (i + 1 >= args.Count || args[i + 1].Length == 0)
            {
                error = $"Missing Match criteria for {attribute}";
                return -1;
            }
            var arg = args[++i];
            var test = ci is null || ci.IsTest;
            switch (attribute.ToLowerInvariant())
            {
                case "user":
                    if (ci?.User is null)
                    {
                        if (!test) return Missing("User", "user");
                        result = 0;
                        continue;
                    }
                    if (SshdConfigPatterns.MatchList(ci.User, arg) != 1)
                        result = 0;
                    break;
                case "group":
                    if (ci?.User is null)
                    {
                        if (!test) return Missing("Group", "user");
                        result = 0;
                        continue;
                    }
                    if (!MatchGroups(ci.Groups ?? [], arg))
                        result = 0;
                    break;
                case "host":
                    if (ci?.Host is null)
                    {
                        if (!test) return Missing("Host", "host");
                        result = 0;
                        continue;
                    }
                    if (SshdConfigPatterns.MatchHostName(ci.Host, arg) != 1)
                        result = 0;
                    break;
                case "address":
                case "localaddress":
                    var local = attribute.Length > 7;
                    var address = local ? ci?.LocalAddress : ci?.Address;
                    if (address is null)
                    {
                        if (SshdConfigPatterns.MatchAddressList(null, arg) != 0)
                            throw new SshdConfigException(local
                                ? $"Invalid Match localaddress argument '{arg}' at line {line}"
                                : $"Invalid Match address argument '{arg}' at line {line}");
                        if (!test) return Missing(local ? "LocalAddress" : "Address", local ? "laddr" : "addr");
                        result = 0;
                        continue;
                    }
                    switch (SshdConfigPatterns.MatchAddressList(address, arg))
                    {
                        case 1:
                            break;
                        case -2:
                            return -1;
                        default:
                            result = 0;
                            break;
                    }
                    break;
                case "localport":
                    if (!int.TryParse(arg, System.Globalization.NumberStyles.None, null, out var port) || port > 65535)
                    {
                        error = $"Invalid LocalPort '{arg}' on Match line";
                        return -1;
                    }
                    if (ci is null || ci.LocalPort == 0)
                    {
                        result = 0;
                        continue;
                    }
                    if (port != ci.LocalPort)
                        result = 0;
                    break;
                case "rdomain":
                    result = 0;
                    break;
                default:
                    error = $"Unsupported Match attribute {attribute}";
                    return -1;
            }
        }
        if (attributes == 0)
        {
            error = "One or more attributes required for Match";
            return -1;
        }
        return result;

        int Missing(string criteria, string attrib) =>
            throw new SshdConfigException($"'Match {criteria}' in configuration but '{attrib}' not in connection test specification.");
    }

    /// <summary>match_cfg_line_group: any of the user's groups matches the pattern list (negations veto).</summary>
    private static bool MatchGroups(IReadOnlyList<string> groups, string patterns)
    {
        var matched = false;
        foreach (var g in groups)
        {
            var r = SshdConfigPatterns.MatchList(g, patterns);
            if (r == -1)
                return false;
            if (r == 1)
                matched = true;
        }
        return matched;
    }
}
