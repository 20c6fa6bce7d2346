using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen's known_hosts operations: -F host (find), -R host (remove, keeping a .old backup) and -H (hash
/// every plain name). Like OpenSSH they work on the text of each line: the host field decides, the key is
/// carried over as written, comments, blank lines and @cert-authority/@revoked lines are kept.
/// </summary>
internal static class KnownHostsCommands
{
    /// <summary>One line split as ssh-keygen sees it: marker, host field, and the raw key text after it.</summary>
    private sealed record Line(int Number, string Text, string? Marker, string Hosts, string RawKey, bool Invalid)
    {
        public bool IsKeyLine => Hosts.Length > 0 && !Invalid;
    }

    /// <summary>Runs -F, -R or -H (exactly one of them is set); <paramref name="file"/> defaults to ~/.ssh/known_hosts.</summary>
    public static int Run(string? findHost, string? removeHost, bool hash, string? file, bool quiet, KeygenConsole console)
    {
        var path = file ?? Path.Combine(KeygenPaths.Home, ".ssh", "known_hosts");
        if (!File.Exists(path))
            throw new KeygenFatalException($"Cannot stat {path}: {(Directory.Exists(path) ? "Is a directory" : "No such file or directory")}");
        var lines = Read(path);
        if (findHost is not null)
            return Find(findHost, hash, quiet, lines, console);
        if (removeHost is not null)
            return Remove(path, removeHost, quiet, lines, console);
        return HashAll(path, lines, console);
    }

    private static List<Line> Read(string path)
    {
        var text = File.ReadAllText(path);
        var raw = text.Split('\n');
        var count = text.EndsWith('\n') ? raw.Length - 1 : raw.Length;
        var lines = new List<Line>(count);
        for (var i = 0; i < count; i++)
            lines.Add(Split(i + 1, raw[i]));
        return lines;
    }

    private static Line Split(int number, string text)
    {
        var rest = text.TrimStart(' ', '\t');
        if (rest.Length == 0 || rest[0] is '#' or '\r')
            return new Line(number, text, null, "", "", false);
        string? marker = null;
        if (rest[0] == '@')
        {
            var end = rest.IndexOfAny([' ', '\t']);
            marker = end < 0 ? rest : rest[..end];
            rest = end < 0 ? "" : rest[end..].TrimStart(' ', '\t');
        }
        var hostsEnd = rest.IndexOfAny([' ', '\t']);
        var hosts = hostsEnd < 0 ? rest : rest[..hostsEnd];
        var rawKey = hostsEnd < 0 ? "" : rest[hostsEnd..].TrimStart(' ', '\t').TrimEnd('\r');
        // A key needs at least its type and its data; ssh-keygen calls anything shorter an invalid line.
        var invalid = rawKey.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length < 2
            || (marker is not null && marker is not "@cert-authority" and not "@revoked");
        return new Line(number, text, marker, hosts, rawKey, invalid);
    }

    private static bool Matches(Line line, string host) =>
        line.IsKeyLine && KnownHostsMatcher.Match(line.Hosts, host) is KnownHostsMatch.Pattern or KnownHostsMatch.Hashed;

    private static int Find(string host, bool hash, bool quiet, List<Line> lines, KeygenConsole console)
    {
        var found = false;
        foreach (var line in lines)
        {
            if (!Matches(line, host))
                continue;
            found = true;
            if (!quiet)
            {
                var label = line.Marker switch { "@cert-authority" => "CA", "@revoked" => "REVOKED", _ => "" };
                console.PrintLine($"# Host {host} found: line {line.Number} {label}");
            }
            if (hash && line.Marker is null && !IsHashed(line) && !HasWildcard(line))
                foreach (var name in line.Hosts.Split(','))
                    console.PrintLine($"{KnownHostsMatcher.Hash(name.ToLowerInvariant())} {line.RawKey}");
            else
                console.PrintLine(line.Text.TrimEnd('\r'));
        }
        return found ? 0 : 1;
    }

    private static int Remove(string path, string host, bool quiet, List<Line> lines, KeygenConsole console)
    {
        var kept = new List<string>(lines.Count);
        var found = false;
        var invalid = false;
        foreach (var line in lines)
        {
            // CA and revocation lines are never removed by -R: they are policy, not a remembered key.
            if (Matches(line, host) && line.Marker is null)
            {
                found = true;
                if (!quiet)
                    console.PrintLine($"# Host {host} found: line {line.Number}");
                continue;
            }
            if (line.Hosts.Length > 0 && line.Invalid)
            {
                console.Log($"{path}:{line.Number}: invalid line");
                invalid = true;
            }
            kept.Add(line.Text);
        }
        // A file with lines ssh-keygen cannot read is left exactly as it is.
        if (invalid)
            RefuseInvalid(path, console);
        if (!found)
        {
            console.Log($"Host {host} not found in {path}");
            return 0;
        }
        Replace(path, kept, console);
        return 0;
    }

    private static int HashAll(string path, List<Line> lines, KeygenConsole console)
    {
        var output = new List<string>(lines.Count);
        var invalid = false;
        var hashedAny = false;
        foreach (var line in lines)
        {
            if (line.Hosts.Length > 0 && line.Invalid)
            {
                console.Log($"{path}:{line.Number}: invalid line");
                invalid = true;
                output.Add(line.Text);
                continue;
            }
            if (!line.IsKeyLine)
            {
                output.Add(line.Text);
                continue;
            }
            // Wildcards cannot be hashed (any line, marked or not, gets the notice); marked and hashed lines stay as they are.
            var wild = HasWildcard(line);
            if (wild || line.Marker is not null || IsHashed(line))
            {
                if (wild)
                    console.Log($"{path}:{line.Number}: ignoring host name with wildcard: {line.Hosts}");
                output.Add(line.Text);
                continue;
            }
            foreach (var name in line.Hosts.Split(','))
                output.Add($"{KnownHostsMatcher.Hash(name.ToLowerInvariant())} {line.RawKey}");
            hashedAny = true;
        }
        if (invalid)
            RefuseInvalid(path, console);
        var old = Replace(path, output, console);
        if (hashedAny)
        {
            console.Log($"WARNING: {old} contains unhashed entries");
            console.Log("Delete this file to ensure privacy of hostnames");
        }
        return 0;
    }

    private static void RefuseInvalid(string path, KeygenConsole console)
    {
        console.Log($"{path} is not a valid known_hosts file.");
        throw new KeygenFatalException("Not replacing existing known_hosts file because of errors", exitCode: 1);
    }

    /// <summary>A pattern (wildcard or negation) stands for many names: hashing it would make it match none.</summary>
    private static bool HasWildcard(Line line) => line.Hosts.IndexOfAny(['*', '?', '!']) >= 0;

    private static bool IsHashed(Line line) => line.Hosts.StartsWith(KnownHostsMatcher.HashPrefix, StringComparison.Ordinal);

    /// <summary>Writes the new contents beside the file, keeps the original as file.old, then moves the new one in.</summary>
    private static string Replace(string path, List<string> lines, KeygenConsole console)
    {
        var old = path + ".old";
        var temp = $"{path}.{Guid.NewGuid():N}"[..(path.Length + 11)];
        var content = lines.Count == 0 ? "" : string.Join('\n', lines.Select(l => l.TrimEnd('\r'))) + "\n";
        // The new file gets the old one's permission bits without any execute or group/other write, as ssh-keygen's fchmod(mode & 0644).
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(temp, content);
        }
        else
        {
            var mode = File.GetUnixFileMode(path) & (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            using (var writer = new StreamWriter(stream))
                writer.Write(content);
            File.SetUnixFileMode(temp, mode);
        }
        File.Copy(path, old, overwrite: true);
        File.Move(temp, path, overwrite: true);
        console.PrintLine($"{path} updated.");
        console.PrintLine($"Original contents retained as {old}");
        return old;
    }
}
