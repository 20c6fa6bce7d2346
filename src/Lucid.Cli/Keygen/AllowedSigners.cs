using System.Globalization;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>
/// The allowed_signers file of ssh-keygen -Y verify (ssh-keygen(1) "ALLOWED SIGNERS"): each line is
/// principals, optional options (namespaces=, valid-after=, valid-before=, cert-authority), a key.
/// </summary>
internal static class AllowedSigners
{
    public static bool IsAllowed(string path, SshPublicKey key, string principal, string ns, KeygenConsole console)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Log($"Unable to open allowed keys file \"{path}\": {KeyFileAccess.Describe(e)}");
            return false;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            if (CheckLine(path, i + 1, lines[i], key, principal, ns, console))
                return true;
        }
        return false;
    }

    private static bool CheckLine(string path, int lineNumber, string line, SshPublicKey signer, string principal, string ns, KeygenConsole console)
    {
        string rest = line.TrimStart(' ', '\t');
        if (rest.Length == 0 || rest[0] == '#')
            return false;
        string principals = NextField(ref rest);
        if (rest.Length == 0)
        {
            console.Log($"{path}:{lineNumber}: invalid line");
            return false;
        }
        if (!Patterns.MatchList(principal, principals))
            return false;

        string? options = null;
        var key = KeyFileAccess.TryReadPublicKey(rest, out _);
        if (key is null)
        {
            options = NextField(ref rest);
            if (rest.Length == 0)
            {
                console.Log($"{path}:{lineNumber}: missing key");
                return false;
            }
            key = KeyFileAccess.TryReadPublicKey(rest, out _);
            if (key is null)
            {
                console.Log($"{path}:{lineNumber}: invalid key");
                return false;
            }
        }
        var parsed = ParseOptions(options, out string? error);
        if (parsed is null)
        {
            console.Log($"{path}:{lineNumber}: bad options: {error}");
            return false;
        }
        // Certificate authorities sign certificates, which lucid's -Y does not handle yet.
        if (parsed.Value.CertAuthority || !key.Equals(signer))
            return false;
        console.Debug(1, $"{path}:{lineNumber}: matched key");
        if (parsed.Value.Namespaces is { } allowed && !Patterns.MatchList(ns, allowed))
        {
            console.Log($"{path}:{lineNumber}: key is not permitted for use in signature namespace \"{ns}\"");
            return false;
        }
        var now = DateTimeOffset.UtcNow;
        if (parsed.Value.ValidAfter is { } after && now < after)
        {
            console.Log($"{path}:{lineNumber}: key is not yet valid: verify time {Format(now)} < valid-after {Format(after)}");
            return false;
        }
        if (parsed.Value.ValidBefore is { } before && now > before)
        {
            console.Log($"{path}:{lineNumber}: key has expired: verify time {Format(now)} > valid-before {Format(before)}");
            return false;
        }
        return true;
    }

    private static string Format(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    // One whitespace-delimited field; double quotes keep spaces inside.
    private static string NextField(ref string s)
    {
        int i = 0;
        bool quoted = false;
        for (; i < s.Length && (quoted || (s[i] != ' ' && s[i] != '\t')); i++)
        {
            if (s[i] == '"')
                quoted = !quoted;
        }
        string field = s[..i].Replace("\"", "", StringComparison.Ordinal);
        s = s[i..].TrimStart(' ', '\t');
        return field;
    }

    private static (bool CertAuthority, string? Namespaces, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore)? ParseOptions(string? options, out string? error)
    {
        error = null;
        bool ca = false;
        string? namespaces = null;
        DateTimeOffset? after = null, before = null;
        if (options is null)
            return (ca, namespaces, after, before);
        foreach (var option in options.Split(','))
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            string name = (eq < 0 ? option : option[..eq]).ToLowerInvariant();
            string? value = eq < 0 ? null : option[(eq + 1)..];
            switch (name)
            {
                case "cert-authority" when value is null:
                    ca = true;
                    break;
                case "namespaces" when value is not null:
                    namespaces = value;
                    break;
                case "valid-after" when value is not null:
                    after = ParseTime(value);
                    if (after is null)
                        error = "invalid \"valid-after\" time";
                    break;
                case "valid-before" when value is not null:
                    before = ParseTime(value);
                    if (before is null)
                        error = "invalid \"valid-before\" time";
                    break;
                default:
                    error = "unknown key option";
                    break;
            }
            if (error is not null)
                return null;
        }
        return (ca, namespaces, after, before);
    }

    // YYYYMMDD[HHMM[SS]], local time unless it ends in Z (UTC), as ssh-keygen(1) documents.
    private static DateTimeOffset? ParseTime(string s)
    {
        bool utc = s.EndsWith('Z') || s.EndsWith('z');
        if (utc)
            s = s[..^1];
        string[] formats = ["yyyyMMdd", "yyyyMMddHHmm", "yyyyMMddHHmmss"];
        var style = utc ? DateTimeStyles.AssumeUniversal : DateTimeStyles.AssumeLocal;
        return DateTimeOffset.TryParseExact(s, formats, CultureInfo.InvariantCulture, style, out var t) ? t : null;
    }
}
