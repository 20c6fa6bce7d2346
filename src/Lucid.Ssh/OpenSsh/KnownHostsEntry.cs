namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// One key line of a known_hosts file: "[@marker] hosts keytype base64 [comment]". <see cref="File"/> and
/// <see cref="Line"/> (1-based) say where it came from, so a lookup can name the deciding line as OpenSSH does.
/// </summary>
public sealed record KnownHostsEntry(string File, int Line, KnownHostsMarker Marker, string Hosts, string KeyType,
    byte[] Blob, string? Comment, string Text)
{
    /// <summary>True when the host field is a hashed name, "|1|salt|hash".</summary>
    public bool IsHashed => Hosts.StartsWith(KnownHostsMatcher.HashPrefix, StringComparison.Ordinal);

    /// <summary>The key as known_hosts writes it: "keytype base64".</summary>
    public string KeyText => $"{KeyType} {Convert.ToBase64String(Blob)}";

    /// <summary>How this entry's host field relates to a known_hosts name ("host" or "[host]:port").</summary>
    public KnownHostsMatch Match(string name) => KnownHostsMatcher.Match(Hosts, name);

    /// <summary>
    /// Parses one line. Blank lines and comments give null and no error; a line that is not a valid entry gives
    /// null and <paramref name="error"/> set (OpenSSH skips those lines, with a debug message).
    /// </summary>
    public static KnownHostsEntry? Parse(string file, int lineNumber, string text, out string? error)
    {
        error = null;
        var rest = text.AsSpan().TrimStart(" \t");
        if (rest.IsEmpty || rest[0] == '#' || rest[0] == '\r' || rest[0] == '\n')
            return null;
        var marker = KnownHostsMarker.None;
        if (rest[0] == '@')
        {
            var word = NextField(ref rest);
            if (word.Equals("@cert-authority", StringComparison.Ordinal))
                marker = KnownHostsMarker.CertAuthority;
            else if (word.Equals("@revoked", StringComparison.Ordinal))
                marker = KnownHostsMarker.Revoked;
            else
            {
                error = "invalid marker";
                return null;
            }
        }
        var hosts = NextField(ref rest).ToString();
        var keyType = NextField(ref rest).ToString();
        var base64 = NextField(ref rest).ToString();
        if (hosts.Length == 0 || keyType.Length == 0 || base64.Length == 0)
        {
            error = "missing field";
            return null;
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            error = "invalid key";
            return null;
        }
        var comment = rest.Trim(" \t\r\n").ToString();
        return new KnownHostsEntry(file, lineNumber, marker, hosts, keyType, blob, comment.Length == 0 ? null : comment, text);
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart(" \t");
        var end = rest.IndexOfAny(" \t\r\n");
        if (end < 0)
            end = rest.Length;
        var field = rest[..end];
        rest = rest[end..];
        return field;
    }
}
