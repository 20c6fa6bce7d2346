namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// ~/.ssh/environment as sshd reads it with PermitUserEnvironment: NAME=value lines; blank lines and lines starting
/// with '#' (after leading blanks) are skipped, as are lines without '='; at most 1,000 lines.
/// </summary>
public static class UserEnvironmentFile
{
    public const int MaxLines = 1000;

    /// <summary>The NAME=value pairs in file order. Throws <see cref="SshException"/> past <see cref="MaxLines"/> lines (sshd's fatal error).</summary>
    public static List<KeyValuePair<string, string>> Parse(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var lines = text.Split('\n');
        if (lines.Length > MaxLines + (text.EndsWith('\n') ? 1 : 0))
            throw new SshException("Too many lines in environment file");
        foreach (var raw in lines)
        {
            var line = raw.TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
                continue;
            var eq = line.IndexOf('=');
            if (eq < 0)
                continue;
            result.Add(new(line[..eq], line[(eq + 1)..]));
        }
        return result;
    }
}
