using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>What StrictModes needs to know about a path: owner, permission bits, and whether it is a regular file or directory.</summary>
public readonly record struct AuthorizedKeysFileStatus(uint Owner, UnixFileMode Mode, bool IsRegularFile, bool IsDirectory);

/// <summary>
/// AuthorizedKeysFile patterns (%h home, %u user, %U uid, %% percent; relative to the home directory) and
/// StrictModes' ownership checks (misc.c safe_path): the file and every directory up to the home directory
/// (or /) must belong to the user or root and not be group- or world-writable.
/// </summary>
public static class AuthorizedKeysPath
{
    /// <summary>Expands one AuthorizedKeysFile pattern for a user. Throws <see cref="SshException"/> for an unknown %-token.</summary>
    public static string Expand(string pattern, string user, uint uid, string home)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%')
            {
                sb.Append(pattern[i]);
                continue;
            }
            if (++i >= pattern.Length)
                throw new SshException("percent_expand: invalid format");
            sb.Append(pattern[i] switch
            {
                '%' => "%",
                'h' => home,
                'u' => user,
                'U' => uid.ToString(CultureInfo.InvariantCulture),
                _ => throw new SshException($"percent_expand: unknown key %{pattern[i]}"),
            });
        }
        var path = sb.ToString();
        if (path.StartsWith("~/", StringComparison.Ordinal))
            path = home.TrimEnd('/') + path[1..];
        return path.StartsWith('/') ? path : $"{home.TrimEnd('/')}/{path}";
    }

    /// <summary>
    /// safe_path: null when <paramref name="path"/> is safe to trust for <paramref name="uid"/>, otherwise
    /// sshd's reason ("bad ownership or modes for directory /home/alice/.ssh"). <paramref name="stat"/>
    /// follows symlinks and returns null for a path that does not exist.
    /// </summary>
    public static string? CheckStrictModes(string path, string home, uint uid, Func<string, AuthorizedKeysFileStatus?> stat)
    {
        string real;
        try
        {
            real = ResolveReal(path);
        }
        catch (IOException e)
        {
            return $"realpath {path} failed: {e.Message}";
        }
        var homeReal = home;
        try
        {
            homeReal = ResolveReal(home);
        }
        catch (IOException)
        {
        }
        if (stat(real) is not { } st)
            return $"realpath {path} failed: No such file or directory";
        if (!st.IsRegularFile)
            return $"{real} is not a regular file";
        const UnixFileMode writableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if ((st.Owner != 0 && st.Owner != uid) || (st.Mode & writableByOthers) != 0)
            return $"bad ownership or modes for file {real}";
        var dir = real;
        while (true)
        {
            var parent = Path.GetDirectoryName(dir);
            dir = string.IsNullOrEmpty(parent) ? "/" : parent;
            var ds = stat(dir);
            if (ds is not { } d || (d.Owner != 0 && d.Owner != uid) || (d.Mode & writableByOthers) != 0)
                return $"bad ownership or modes for directory {dir}";
            if (dir == homeReal || dir == "/")
                break;
        }
        return null;
    }

    /// <summary>realpath(3): every symlink along the path resolved.</summary>
    private static string ResolveReal(string path)
    {
        var full = Path.GetFullPath(path);
        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = current == "/" ? "/" + parts[i] : current + "/" + parts[i];
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
                var rest = string.Join('/', parts[(i + 1)..]);
                return ResolveReal(rest.Length == 0 ? resolved : resolved + "/" + rest);
            }
            if (!info.Exists && !Directory.Exists(next))
                throw new IOException("No such file or directory");
            current = next;
        }
        return current;
    }
}
