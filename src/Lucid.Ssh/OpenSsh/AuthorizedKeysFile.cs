using Lucid.Ssh.Keys;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Reads authorized_keys as sshd does (auth2-pubkeyfile.c): blank lines and comments skipped, an optional
/// option list before the key type, lines that cannot be understood skipped with a note instead of
/// failing the file, and the decision for one offered key including from= and expiry-time=.
/// </summary>
public static class AuthorizedKeysFile
{
    /// <summary>Parses every line; <paramref name="notes"/> receives sshd's debug messages for skipped lines.</summary>
    public static List<AuthorizedKeysEntry> Parse(string text, string fileName, Action<string>? notes = null)
    {
        var entries = new List<AuthorizedKeysEntry>();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var entry = ParseLine(lines[n], fileName, n + 1, notes);
            if (entry is not null)
                entries.Add(entry);
        }
        return entries;
    }

    /// <summary>One line; null for blanks, comments, keys of types Lucid cannot use, and bad option strings.</summary>
    public static AuthorizedKeysEntry? ParseLine(string raw, string fileName, int lineNumber, Action<string>? notes = null)
    {
        var loc = $"{fileName}:{lineNumber}";
        var line = raw.TrimEnd('\r', '\n').TrimStart(' ', '\t');
        if (line.Length == 0 || line[0] == '#')
            return null;
        var options = "";
        if (!LooksLikeKey(line))
        {
            var end = AdvancePastOptions(line);
            if (end < 0)
            {
                notes?.Invoke($"{loc}: invalid key option string");
                return null;
            }
            options = line[..end];
            line = line[end..].TrimStart(' ', '\t');
            if (!LooksLikeKey(line))
            {
                notes?.Invoke($"{loc}: advance: '{line}'");
                return null;
            }
        }
        SshPublicKey key;
        string comment;
        try
        {
            key = SshPublicKey.ParseLine(line, out comment);
        }
        catch (SshKeyFormatException e)
        {
            notes?.Invoke($"{loc}: {e.Problem}");
            return null;
        }
        string? error = null;
        var parsed = options.Length == 0 ? AuthorizedKeysOptions.None : AuthorizedKeysOptions.Parse(options, out error);
        if (parsed is null)
        {
            notes?.Invoke($"{loc}: bad key options: {error}");
            return null;
        }
        return new AuthorizedKeysEntry(key, parsed, comment, fileName, lineNumber);
    }

    /// <summary>
    /// The entry authorising <paramref name="key"/> for a client at <paramref name="remoteIp"/> /
    /// <paramref name="remoteHost"/>, or null. <paramref name="log"/> receives sshd's messages for refusals
    /// (a from= mismatch is logged at INFO, an expired entry at debug).
    /// </summary>
    public static AuthorizedKeysEntry? Authorize(IEnumerable<AuthorizedKeysEntry> entries, SshPublicKey key, string user,
        string remoteIp, string remoteHost, DateTimeOffset now, Action<string>? log = null, Action<string>? debug = null)
    {
        foreach (var entry in entries)
        {
            if (entry.Options.CertAuthority || !entry.Key.Equals(key))
                continue;
            var why = Refusal(entry, user, remoteIp, remoteHost, now, log, debug);
            if (why is null)
                return entry;
            log?.Invoke(why);
        }
        return null;
    }

    private static string? Refusal(AuthorizedKeysEntry entry, string user, string ip, string host, DateTimeOffset now,
        Action<string>? log, Action<string>? debug)
    {
        var loc = entry.Location;
        var o = entry.Options;
        if (o.ExpiryTime is { } expiry && expiry < now)
        {
            debug?.Invoke($"{loc}: entry expired at {expiry.LocalDateTime:yyyy-MM-ddTHH:mm:ss}");
            return "Refused by key options";
        }
        if (o.Principals is not null)
        {
            debug?.Invoke($"{loc}: principals on non-CA key");
            return "Refused by key options";
        }
        if (o.From is not null)
        {
            var m = SshdConfigPatterns.MatchHostAndIp(host, ip, o.From);
            if (m != 1)
            {
                if (m == -1)
                    debug?.Invoke($"{loc}: invalid from criteria");
                log?.Invoke($"{loc}: Authentication tried for {user} with correct key but not from a permitted host " +
                    $"(host={host}, ip={ip}, required={o.From}).");
                return "Refused by key options";
            }
        }
        return null;
    }

    /// <summary>The first field names a key type (so the line has no options).</summary>
    private static bool LooksLikeKey(string line)
    {
        var end = line.IndexOfAny([' ', '\t']);
        var first = end < 0 ? line : line[..end];
        return KeyAlgorithms.Find(first) is not null ||
            SshdConfigAlgorithms.Known(SshdConfigAlgorithms.Category.Key).Contains(first);
    }

    /// <summary>sshkey_advance_past_options: the options end at the first space outside quotes; -1 for an open quote.</summary>
    private static int AdvancePastOptions(string line)
    {
        var quoted = false;
        var i = 0;
        for (; i < line.Length && (quoted || line[i] is not (' ' or '\t')); i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '"')
                i++;
            else if (line[i] == '"')
                quoted = !quoted;
        }
        return i >= line.Length && quoted ? -1 : i;
    }
}
