using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Host-field matching for known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): comma-separated patterns with
/// * and ? (case-insensitive), "!" negation vetoing the line, and hashed names "|1|base64(salt)|base64(HMAC-SHA1)".
/// </summary>
public static class KnownHostsMatcher
{
    public const string HashPrefix = "|1|";

    /// <summary>The name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>The hashed form of a host name: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).</summary>
    public static string Hash(string name, byte[] salt)
    {
        var mac = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
        return $"{HashPrefix}{Convert.ToBase64String(salt)}|{Convert.ToBase64String(mac)}";
    }

    /// <summary>Hashes a name with a fresh 20-byte salt, as ssh and ssh-keygen -H do.</summary>
    public static string Hash(string name) => Hash(name, RandomNumberGenerator.GetBytes(20));

    /// <summary>Matches a whole host field against a name.</summary>
    public static KnownHostsMatch Match(string hosts, string name)
    {
        if (hosts.StartsWith(HashPrefix, StringComparison.Ordinal))
            return HashedMatches(hosts, name) ? KnownHostsMatch.Hashed : KnownHostsMatch.None;
        var lower = name.ToLowerInvariant();
        var matched = false;
        foreach (var raw in hosts.Split(','))
        {
            var negated = raw.StartsWith('!');
            var pattern = (negated ? raw[1..] : raw).ToLowerInvariant();
            if (!Glob(pattern, lower))
                continue;
            if (negated)
                return KnownHostsMatch.Negated; // a negated match vetoes the whole line
            matched = true;
        }
        return matched ? KnownHostsMatch.Pattern : KnownHostsMatch.None;
    }

    /// <summary>True when <paramref name="hashed"/> ("|1|salt|hash") is the hash of <paramref name="name"/>.</summary>
    public static bool HashedMatches(string hashed, string name)
    {
        var parts = hashed.Split('|');
        if (parts.Length != 4 || parts[0].Length != 0 || parts[1] != "1")
            return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            if (salt.Length != 20 || expected.Length != 20)
                return false;
            var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Shell-style match with * and ? (OpenSSH's match_pattern).</summary>
    public static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        while (true)
        {
            if (pattern.IsEmpty)
                return text.IsEmpty;
            if (pattern[0] == '*')
            {
                pattern = pattern[1..];
                if (pattern.IsEmpty)
                    return true;
                for (var i = 0; i <= text.Length; i++)
                    if (Glob(pattern, text[i..]))
                        return true;
                return false;
            }
            if (text.IsEmpty || (pattern[0] != '?' && pattern[0] != text[0]))
                return false;
            pattern = pattern[1..];
            text = text[1..];
        }
    }
}
