using System.Net;
using System.Net.Sockets;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// OpenSSH's pattern language as sshd uses it (match.c, addrmatch.c): `*`/`?` wildcards, comma lists with
/// `!` negation, CIDR address lists, and user@host patterns. Shared by sshd_config (Match, AllowUsers)
/// and authorized_keys (from=).
/// </summary>
internal static class SshdConfigPatterns
{
    /// <summary>Wildcard match of a whole string: `*` any run, `?` any one character.</summary>
    public static bool Match(ReadOnlySpan<char> s, ReadOnlySpan<char> pattern)
    {
        // Iterative glob with single backtrack point; linear in practice and never recursive.
        int si = 0, pi = 0, star = -1, mark = 0;
        while (si < s.Length)
        {
            if (pi < pattern.Length && (pattern[pi] == '?' || pattern[pi] == s[si]))
            {
                si++;
                pi++;
            }
            else if (pi < pattern.Length && pattern[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
                return false;
        }
        while (pi < pattern.Length && pattern[pi] == '*')
            pi++;
        return pi == pattern.Length;
    }

    /// <summary>match_pattern_list: 1 on a positive match, 0 on none, -1 when a negated pattern matched.</summary>
    public static int MatchList(string s, string patternList, bool lowercase = false)
    {
        var positive = 0;
        foreach (var raw in patternList.Split(','))
        {
            var negated = raw.StartsWith('!');
            var sub = negated ? raw[1..] : raw;
            if (lowercase)
                sub = sub.ToLowerInvariant();
            if (Match(s, sub))
            {
                if (negated)
                    return -1;
                positive = 1;
            }
        }
        return positive;
    }

    /// <summary>match_hostname: a case-insensitive pattern list against a host name.</summary>
    public static int MatchHostName(string host, string patternList) =>
        MatchList(host.ToLowerInvariant(), patternList, lowercase: true);

    /// <summary>
    /// addr_match_list: 1 match, 0 none, -1 negated match, -2 the list is malformed. With a null
    /// <paramref name="address"/> only checks the list (0 or -2).
    /// </summary>
    public static int MatchAddressList(string? address, string list)
    {
        IPAddress? tryAddress = null;
        if (address is not null && !IPAddress.TryParse(address, out tryAddress))
            return 0;
        var result = 0;
        foreach (var raw in list.Split(','))
        {
            var negated = raw.StartsWith('!');
            var entry = negated ? raw[1..] : raw;
            if (entry.Length == 0)
                return -2;
            var cidr = ParseCidr(entry, out var network, out var maskLength);
            if (cidr == -2)
                return -2;
            bool found;
            if (cidr == 0)
                found = tryAddress is not null && InNetwork(tryAddress, network!, maskLength);
            else
                found = address is not null && Match(address, entry);
            if (found)
            {
                if (negated)
                    return -1;
                result = 1;
            }
        }
        return result;
    }

    /// <summary>match_host_and_ip: 1 allowed, 0 not matched or negated, -1 malformed pattern.</summary>
    public static int MatchHostAndIp(string? host, string? ip, string patterns)
    {
        var ipResult = MatchAddressList(ip, patterns);
        if (ipResult == -2)
            return -1;
        if (host is null || ip is null || ipResult == -1)
            return 0;
        var hostResult = MatchHostName(host, patterns);
        if (hostResult == -1)
            return 0;
        return hostResult == 0 && ipResult == 0 ? 0 : 1;
    }

    /// <summary>match_user for AllowUsers/DenyUsers: `user` or `user@host-or-address-pattern`. -1 when malformed.</summary>
    public static int MatchUser(string? user, string? host, string? ip, string pattern)
    {
        var at = pattern.IndexOf('@');
        if (user is null && host is null && ip is null)
            return at >= 0 && MatchHostAndIp(null, null, pattern[(at + 1)..]) < 0 ? -1 : 0;
        if (at < 0)
            return Match(user ?? "", pattern) ? 1 : 0;
        if (!Match(user ?? "", pattern.AsSpan(0, at)))
            return 0;
        return MatchHostAndIp(host, ip, pattern[(at + 1)..]);
    }

    /// <summary>0: a valid network; -1: not an address (use wildcard matching); -2: bad mask or host bits set.</summary>
    internal static int ParseCidr(string entry, out IPAddress? network, out int maskLength)
    {
        network = null;
        maskLength = 0;
        var slash = entry.IndexOf('/');
        var addressPart = slash < 0 ? entry : entry[..slash];
        // IPAddress.TryParse is lenient ("1" parses as 0.0.0.1); demand the dotted or colon form.
        if (!(addressPart.Contains(':') || addressPart.Count(c => c == '.') == 3) ||
            !IPAddress.TryParse(addressPart, out var parsed) ||
            (parsed.AddressFamily == AddressFamily.InterNetworkV6 && parsed.ScopeId != 0))
            return -1;
        var bits = parsed.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        maskLength = bits;
        if (slash >= 0)
        {
            var lengthText = entry[(slash + 1)..];
            if (lengthText.Length == 0 || lengthText.Length > 3 || !lengthText.All(char.IsAsciiDigit))
                return -1;
            maskLength = int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture);
            if (maskLength > bits)
                return -2;
        }
        // A network with host bits set is an inconsistent mask, which OpenSSH rejects.
        var bytes = parsed.GetAddressBytes();
        for (var bit = maskLength; bit < bits; bit++)
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
                return -2;
        network = parsed;
        return 0;
    }

    internal static bool InNetwork(IPAddress address, IPAddress network, int maskLength)
    {
        if (address.IsIPv4MappedToIPv6 && network.AddressFamily == AddressFamily.InterNetwork)
            address = address.MapToIPv4();
        if (address.AddressFamily != network.AddressFamily)
            return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var bit = 0; bit < maskLength; bit++)
        {
            var m = 0x80 >> (bit % 8);
            if ((a[bit / 8] & m) != (n[bit / 8] & m))
                return false;
        }
        return true;
    }
}
