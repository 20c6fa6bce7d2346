using System.Text;

namespace Lucid.Ssh.Keys;

/// <summary>
/// RFC 4716 ("SECSH") public key files, the format ssh-keygen -e writes by default and -i reads:
/// begin/end markers, "Tag: value" headers (a trailing backslash continues a header on the next line),
/// then the base64 key blob.
/// </summary>
public static class Rfc4716Format
{
    public const string BeginMarker = "---- BEGIN SSH2 PUBLIC KEY ----";
    public const string EndMarker = "---- END SSH2 PUBLIC KEY ----";

    // RFC 4716 section 3: no line longer than 72 bytes. ssh-keygen fills body lines with 70 characters.
    private const int MaxLineLength = 72;
    private const int BodyLineLength = 70;
    private const int MaxTagLength = 64;

    /// <summary>A parsed file: the key blob and the headers in file order.</summary>
    public sealed record Document(byte[] Blob, IReadOnlyList<KeyValuePair<string, string>> Headers)
    {
        /// <summary>The Comment header's value without its quotes, or null.</summary>
        public string? Comment => Headers.FirstOrDefault(h => h.Key.Equals("Comment", StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>True when <paramref name="text"/> starts (after blank lines) with the RFC 4716 begin marker.</summary>
    public static bool LooksLike(string text) => text.TrimStart().StartsWith(BeginMarker, StringComparison.Ordinal);

    /// <summary>Writes the file as ssh-keygen -e does, each header on its own line (wrapped only past 72 bytes).</summary>
    public static string Write(ReadOnlySpan<byte> blob, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var sb = new StringBuilder();
        sb.Append(BeginMarker).Append('\n');
        foreach (var (tag, value) in headers)
        {
            if (tag.Length == 0 || tag.Length > MaxTagLength || tag.Any(c => c is ':' or ' ' || c > 0x7e || c < 0x21))
                throw new ArgumentException($"invalid RFC 4716 header tag \"{tag}\"", nameof(headers));
            // Values with spaces are quoted, the way ssh-keygen writes its Comment header.
            string quoted = tag.Equals("Comment", StringComparison.OrdinalIgnoreCase) ? $"\"{value}\"" : value;
            AppendWrapped(sb, $"{tag}: {quoted}");
        }
        string base64 = Convert.ToBase64String(blob);
        for (int i = 0; i < base64.Length; i += BodyLineLength)
            sb.Append(base64.AsSpan(i, Math.Min(BodyLineLength, base64.Length - i))).Append('\n');
        sb.Append(EndMarker).Append('\n');
        return sb.ToString();
    }

    public static string Write(ReadOnlySpan<byte> blob, string comment) =>
        Write(blob, [new KeyValuePair<string, string>("Comment", comment)]);

    // A header longer than a line is split with a backslash at the end of each part but the last.
    private static void AppendWrapped(StringBuilder sb, string header)
    {
        int utf8 = Encoding.UTF8.GetByteCount(header);
        if (utf8 <= MaxLineLength)
        {
            sb.Append(header).Append('\n');
            return;
        }
        int pos = 0;
        while (header.Length - pos > MaxLineLength)
        {
            sb.Append(header.AsSpan(pos, MaxLineLength - 1)).Append("\\\n");
            pos += MaxLineLength - 1;
        }
        sb.Append(header.AsSpan(pos)).Append('\n');
    }

    /// <summary>
    /// Reads an RFC 4716 public key. Problems throw <see cref="SshKeyFormatException"/> naming the line
    /// (1-based) and what is wrong; attach the file name with <see cref="SshKeyFormatException.At"/>.
    /// </summary>
    public static Document Read(string text) => Read(text, BeginMarker, EndMarker);

    /// <summary>The same armour with other markers (SSH.COM's private keys: <see cref="SshComPrivateKeyFormat"/>).</summary>
    public static Document Read(string text, string beginMarker, string endMarker)
    {
        // Lines may end in \n, \r\n or a bare \r (files that passed through old Macs).
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        int i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0)
            i++;
        if (i == lines.Length || lines[i].Trim() != beginMarker)
            throw new SshKeyFormatException($"not an RFC 4716 {(beginMarker == BeginMarker ? "public" : "private")} key: missing \"{beginMarker}\"", line: i < lines.Length ? i + 1 : 0);
        i++;

        var headers = new List<KeyValuePair<string, string>>();
        // Headers come first: a line with a colon, possibly continued by a trailing backslash.
        while (i < lines.Length)
        {
            string line = lines[i].TrimEnd();
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || colon <= 0 || line == endMarker)
                break;
            int headerLine = i + 1;
            string tag = line[..colon];
            if (tag.Length > MaxTagLength || tag.Any(c => c is ' ' or '\t'))
                throw new SshKeyFormatException($"invalid header tag \"{tag}\"", line: headerLine);
            var value = new StringBuilder(line[(colon + 1)..].TrimStart());
            while (value.Length > 0 && value[^1] == '\\')
            {
                value.Length--;
                i++;
                if (i == lines.Length)
                    throw new SshKeyFormatException("header continued past the end of the file", line: headerLine);
                value.Append(lines[i].TrimEnd());
            }
            string v = value.ToString();
            if (v.Length >= 2 && v[0] == '"' && v[^1] == '"')
                v = v[1..^1];
            headers.Add(new(tag, v));
            i++;
        }

        var body = new StringBuilder();
        int bodyStart = i + 1;
        for (; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line == endMarker)
                break;
            if (line.StartsWith("----", StringComparison.Ordinal))
                throw new SshKeyFormatException($"unexpected marker \"{line}\"", line: i + 1);
            foreach (char c in line)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
                    throw new SshKeyFormatException($"invalid base64 character '{c}'", line: i + 1);
            }
            body.Append(line);
        }
        // A missing end marker is tolerated, as OpenSSH does; a cut-off body still fails below.
        if (body.Length == 0)
            throw new SshKeyFormatException("no key data", line: bodyStart);
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(body.ToString());
        }
        catch (FormatException)
        {
            throw new SshKeyFormatException("invalid base64 key data (bad length or padding)", line: bodyStart);
        }
        return new Document(blob, headers);
    }
}
