namespace Lucid.Cli.Ssh;

/// <summary>
/// A small reader for ssh_config files given with -F: "Keyword value" lines, applied when outside any
/// Host block or inside a Host block whose patterns match the destination. Match blocks are skipped.
/// (The complete ssh_config support, with Match, Include and tokens, is a separate piece of work.)
/// </summary>
internal static class SshConfigFile
{
    public static void Apply(SshOptions options, string path)
    {
        if (path == "none")
            return;
        var full = SshPaths.Expand(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory" : "Permission denied";
            throw new SshUsageException($"Can't open user config file {path}: {reason}\r\n");
        }
        var active = true;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var (keyword, value) = SshCommandLine.SplitKeyword(line);
            if (keyword.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                active = HostMatches(value, options.Host ?? "");
                continue;
            }
            if (keyword.Equals("Match", StringComparison.OrdinalIgnoreCase))
            {
                active = false;
                continue;
            }
            if (active)
                options.Apply(keyword, value, path, n + 1);
        }
    }

    private static bool HostMatches(string patterns, string host)
    {
        var matched = false;
        foreach (var raw in patterns.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var negated = raw.StartsWith('!');
            var pattern = negated ? raw[1..] : raw;
            if (!Glob(pattern.ToLowerInvariant(), host.ToLowerInvariant()))
                continue;
            if (negated)
                return false;
            matched = true;
        }
        return matched;
    }

    private static bool Glob(string pattern, string text) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, text, ignoreCase: true);
}
