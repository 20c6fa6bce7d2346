using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// Who runs ssh: the facts ssh_config tokens and defaults draw on (%u, %i, %d, ~ in known-hosts paths, %l, %L).
/// OpenSSH reads them from the password database, not from $HOME, and so does <see cref="Current"/>.
/// </summary>
public sealed record SshConfigLocalUser(string Name, long Uid, string HomeDirectory, string HostName)
{
    /// <summary>The current user from /etc/passwd (falling back to the environment) and the machine's host name.</summary>
    public static SshConfigLocalUser Current
    {
        get
        {
            var uid = CurrentUid();
            var entry = uid is null ? null : ReadPasswd().FirstOrDefault(e => e.Uid == uid);
            var name = entry?.Name ?? Environment.UserName;
            var home = entry?.Home ?? Environment.GetEnvironmentVariable("HOME")
                ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return new SshConfigLocalUser(name, uid ?? 0, home, System.Net.Dns.GetHostName());
        }
    }

    /// <summary>%L: the host name up to its first dot.</summary>
    public string ShortHostName => HostName.Split('.')[0];

    internal static string? HomeOf(string user) => ReadPasswd().FirstOrDefault(e => e.Name == user)?.Home;

    private sealed record PasswdEntry(string Name, long Uid, string Home);

    private static IEnumerable<PasswdEntry> ReadPasswd()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/passwd");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var line in lines)
        {
            var f = line.Split(':');
            if (f.Length >= 6 && long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                yield return new PasswdEntry(f[0], uid, f[5]);
        }
    }

    private static long? CurrentUid()
    {
        // Linux publishes the real uid here; elsewhere we fall back to the name lookup in /etc/passwd.
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                    return long.Parse(line[4..].Trim().Split('\t', ' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return ReadPasswd().FirstOrDefault(e => e.Name == Environment.UserName)?.Uid;
    }
}
