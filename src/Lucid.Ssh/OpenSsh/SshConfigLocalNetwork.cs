using System.Net;
using System.Net.NetworkInformation;

namespace Lucid.Ssh.OpenSsh;

/// <summary>`Match localnetwork` (OpenSSH 10): whether an interface that is up has an address in a CIDR list.</summary>
internal static class SshConfigLocalNetwork
{
    /// <summary>This client's release string ("Lucid_0.1.0"), what `Match version` matches.</summary>
    public static readonly string LucidRelease = "Lucid_" + typeof(SshConfigLocalNetwork).Assembly.GetName().Version?.ToString(3);

    /// <summary>addr_match_cidr_list's checks: comma-separated addresses or address/length with no host bits set.</summary>
    public static bool IsValidList(string list, out string? problem)
    {
        problem = null;
        foreach (var entry in list.Split(','))
        {
            if (entry.Length == 0)
            {
                problem = $"addr_match_cidr_list: empty entry in list \"{Truncate(list)}\"";
                return false;
            }
            if (Parse(entry) is not null)
                continue;
            if (entry.Any(ch => !char.IsAsciiHexDigit(ch) && ch is not ('.' or ':' or '/')))
                problem = $"addr_match_cidr_list: list entry \"{Truncate(entry)}\" contains invalid characters\n";
            var slash = entry.IndexOf('/');
            problem += slash > 0 && IPAddress.TryParse(entry[..slash], out _) && int.TryParse(entry[(slash + 1)..], out _)
                ? $"Inconsistent mask length for network \"{Truncate(entry)}\""
                : $"Invalid network entry \"{Truncate(entry)}\"";
            return false;
        }
        return true;
    }

    public static bool AnyInterfaceIn(string list, Func<IReadOnlyList<IPAddress>>? localAddresses)
    {
        var networks = list.Split(',').Select(Parse).OfType<IPNetwork>().ToList();
        return (localAddresses?.Invoke() ?? InterfaceAddresses()).Any(a => networks.Any(n => n.Contains(a)));
    }

    private static IPNetwork? Parse(string entry)
    {
        if (entry.Contains('/'))
            return IPNetwork.TryParse(entry, out var network) ? network : null;
        return IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8) : null;
    }

    private static List<IPAddress> InterfaceAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus != OperationalStatus.Down)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address))
                .Select(a => a.ScopeId != 0 ? new IPAddress(a.GetAddressBytes()) : a)
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    private static string Truncate(string s) => s.Length <= 100 ? s : s[..100];
}
