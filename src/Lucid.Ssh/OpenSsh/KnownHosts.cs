using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// OpenSSH's known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain host patterns
/// (comma-separated, with * ? wildcards and ! negation), "[host]:port" for ports other than 22, hashed
/// "|1|salt|hash" names, and the @revoked marker. Lines with @cert-authority are kept out of plain
/// matching (certificates are a later piece of work).
/// </summary>
public sealed class KnownHosts
{
    private readonly List<Entry> _entries = [];

    private sealed record Entry(string File, int Line, string? Marker, string[] Patterns, string KeyType, byte[] Blob);

    /// <summary>Reads every file that exists; missing files are simply empty, unreadable lines are skipped.</summary>
    public static KnownHosts Load(IEnumerable<string> paths)
    {
        var result = new KnownHosts();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
                continue;
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (TryParse(line, out var marker, out var hosts, out var keyType, out var blob))
                    result._entries.Add(new Entry(path, lineNumber, marker, hosts.Split(','), keyType, blob));
            }
        }
        return result;
    }

    private static bool TryParse(string line, out string? marker, out string hosts, out string keyType, out byte[] blob)
    {
        marker = null;
        hosts = keyType = "";
        blob = [];
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].StartsWith('#'))
            return false;
        var at = 0;
        if (fields[0].StartsWith('@'))
        {
            marker = fields[0];
            at = 1;
        }
        if (fields.Length < at + 3)
            return false;
        hosts = fields[at];
        keyType = fields[at + 1];
        try
        {
            blob = Convert.FromBase64String(fields[at + 2]);
        }
        catch (FormatException)
        {
            return false;
        }
        return true;
    }

    /// <summary>The name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>Looks a host's key up: known, unknown, changed (another key of its type is recorded) or revoked.</summary>
    public KnownHostsResult Check(string host, int port, string keyType, ReadOnlySpan<byte> blob)
    {
        var name = HostName(host, port);
        KnownHostsResult? changed = null;
        var otherTypes = false;
        // A revoked key is refused wherever the revocation sits in the files, before any positive match.
        foreach (var entry in _entries)
            if (entry.Marker == "@revoked" && entry.Blob.AsSpan().SequenceEqual(blob))
                return new KnownHostsResult(KnownHostsStatus.Revoked, entry.File, entry.Line);
        foreach (var entry in _entries)
        {
            if (entry.Marker is not null || !Matches(entry.Patterns, name))
                continue;
            if (entry.Blob.AsSpan().SequenceEqual(blob))
                return new KnownHostsResult(KnownHostsStatus.Known, entry.File, entry.Line);
            if (entry.KeyType == keyType)
                changed ??= new KnownHostsResult(KnownHostsStatus.Changed, entry.File, entry.Line);
            else
                otherTypes = true;
        }
        return changed ?? new KnownHostsResult(KnownHostsStatus.Unknown, OtherTypesKnown: otherTypes);
    }

    /// <summary>Appends "name keytype base64" to <paramref name="path"/>, creating the file (and its directory, 0700) if needed.</summary>
    public static void Append(string path, string host, int port, string keyType, ReadOnlySpan<byte> blob, bool hash = false)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(directory);
            else
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var name = HostName(host, port);
        if (hash)
            name = Hash(name, RandomNumberGenerator.GetBytes(20));
        var line = $"{name} {keyType} {Convert.ToBase64String(blob)}\n";
        // A file not ending in a newline (edited by hand) must not glue our entry onto its last line.
        var prefix = "";
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            using var existing = File.OpenRead(path);
            existing.Seek(-1, SeekOrigin.End);
            if (existing.ReadByte() != '\n')
                prefix = "\n";
        }
        File.AppendAllText(path, prefix + line);
    }

    /// <summary>The hashed form of a host name: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).</summary>
    public static string Hash(string name, byte[] salt)
    {
        var mac = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
        return $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(mac)}";
    }

    private static bool Matches(string[] patterns, string name)
    {
        var matched = false;
        foreach (var raw in patterns)
        {
            if (raw.StartsWith("|1|", StringComparison.Ordinal))
            {
                if (HashedMatches(raw, name))
                    matched = true;
                continue;
            }
            var negated = raw.StartsWith('!');
            var pattern = negated ? raw[1..] : raw;
            if (!Glob(pattern.ToLowerInvariant(), name.ToLowerInvariant()))
                continue;
            if (negated)
                return false; // a negated match vetoes the whole line
            matched = true;
        }
        return matched;
    }

    private static bool HashedMatches(string hashed, string name)
    {
        var parts = hashed.Split('|');
        if (parts.Length != 4)
            return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Shell-style match with * and ? (OpenSSH's match_pattern).</summary>
    private static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
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
