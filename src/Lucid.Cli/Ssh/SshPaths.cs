namespace Lucid.Cli.Ssh;

/// <summary>Where ssh's per-user files live.</summary>
internal static class SshPaths
{
    /// <summary>The home directory ($HOME, so tests and sandboxes can point ssh at their own ~/.ssh).</summary>
    public static string Home => Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home
        ? home
        : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Expands a leading "~/" as OpenSSH does for file names in options.</summary>
    public static string Expand(string path) =>
        path == "~" ? Home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Home, path[2..]) : path;
}
