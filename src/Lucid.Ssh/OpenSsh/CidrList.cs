using System.Net;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// addrmatch.c's addr_match_cidr_list: a comma list of addresses and networks only — no wildcards, no negation —
/// as in a certificate's source-address critical option and ssh-keygen -O source-address=. Untrusted input
/// (a certificate's option is read before authentication), so entries are length- and character-checked first.
/// </summary>
internal static class CidrList
{
    private const int MaxEntryLength = 46 + 3; // INET6_ADDRSTRLEN plus "/nn"
    private const string ValidCharacters = "0123456789abcdefABCDEF.:/";

    /// <summary>
    /// 1 when <paramref name="address"/> is in one of the networks, 0 when in none (or the address does not parse),
    /// -1 when the list is malformed (each problem reported through <paramref name="error"/> in OpenSSH's words).
    /// A null address only checks the list.
    /// </summary>
    public static int Match(string? address, string list, Action<string>? error = null)
    {
        IPAddress? tryAddress = null;
        if (address is not null && !IPAddress.TryParse(address, out tryAddress))
            return 0;
        var result = 0;
        foreach (var entry in list.Split(','))
        {
            if (entry.Length == 0)
            {
                // strsep has cut the list at each comma it passed, so OpenSSH's message shows the first entry only.
                error?.Invoke($"addr_match_cidr_list: empty entry in list \"{Clip(list.Split(',')[0])}\"");
                return -1;
            }
            if (entry.Length > MaxEntryLength)
            {
                error?.Invoke($"addr_match_cidr_list: list entry \"{Clip(entry)}\" too long");
                return -1;
            }
            if (entry.Any(c => !ValidCharacters.Contains(c, StringComparison.Ordinal)))
            {
                error?.Invoke($"addr_match_cidr_list: list entry \"{Clip(entry)}\" contains invalid characters");
                result = -1;
            }
            switch (SshdConfigPatterns.ParseCidr(entry, out var network, out var maskLength))
            {
                case -1:
                    error?.Invoke($"Invalid network entry \"{Clip(entry)}\"");
                    return -1;
                case -2:
                    error?.Invoke($"Inconsistent mask length for network \"{Clip(entry)}\"");
                    return -1;
                default:
                    if (tryAddress is not null && result != -1 && SshdConfigPatterns.InNetwork(tryAddress, network!, maskLength))
                        result = 1;
                    break;
            }
        }
        return result;
    }

    private static string Clip(string s) => s.Length > 100 ? s[..100] : s;
}
