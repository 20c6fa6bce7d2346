using System.Globalization;
using System.Net;

namespace Lucid.Ssh.OpenSsh;

/// <summary>One ListenAddress: a host (null for every address) and a port (0: each configured Port).</summary>
public sealed record SshdListenAddress(string? Host, int Port)
{
    /// <summary>ListenAddress syntax: `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. Null when malformed.</summary>
    public static SshdListenAddress? Parse(string text)
    {
        var firstColon = text.IndexOf(':');
        if (!text.Contains('[') && firstColon >= 0 && text.IndexOf(':', firstColon + 1) >= 0)
            return new SshdListenAddress(text, 0);
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
                return null;
            host = text[1..close];
            var after = text[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':'))
                    return null;
                port = after[1..];
            }
        }
        else if (firstColon >= 0)
        {
            host = text[..firstColon];
            port = text[(firstColon + 1)..];
        }
        else
            host = text;
        if (host.Length == 0)
            return null;
        var p = 0;
        if (port is not null && (p = SshdConfigValues.ParsePort(port)) <= 0)
            return null;
        return new SshdListenAddress(host, p);
    }

    /// <summary>The socket addresses to bind for this entry, in the order sshd -T lists them.</summary>
    public IEnumerable<IPEndPoint> Resolve(IReadOnlyList<int> ports, string addressFamily)
    {
        var portList = Port != 0 ? [Port] : ports;
        foreach (var port in portList)
        {
            IEnumerable<IPAddress> addresses;
            if (Host is null)
                addresses = addressFamily switch
                {
                    "inet" => [IPAddress.Any],
                    "inet6" => [IPAddress.IPv6Any],
                    _ => [IPAddress.IPv6Any, IPAddress.Any],
                };
            else if (IPAddress.TryParse(Host, out var ip))
                addresses = [ip];
            else
                addresses = Dns.GetHostAddresses(Host).Where(a => addressFamily switch
                {
                    "inet" => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
                    "inet6" => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
                    _ => true,
                });
            foreach (var a in addresses)
                yield return new IPEndPoint(a, port);
        }
    }

    internal static string Format(IPEndPoint ep) =>
        ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ep.Address}]:{ep.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{ep.Address}:{ep.Port.ToString(CultureInfo.InvariantCulture)}";
}
