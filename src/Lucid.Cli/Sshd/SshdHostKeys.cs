using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Sshd;

/// <summary>Loads the HostKey files as sshd does at startup; Lucid's default keys are created on first use.</summary>
internal static class SshdHostKeys
{
    public static string LucidDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Platform.Users.Current.Home, ".lucid");

    public static List<string> DefaultLucidPaths() =>
        // No ECDSA key: its NIST curve is left out of the defaults (SshdConfigAlgorithms.DroppedFromServerDefaults).
        new[] { "ed25519", "rsa" }.Select(t => Path.Combine(LucidDirectory, $"ssh_host_{t}_key")).ToList();

    /// <summary>The usable host key files, or null (after sshd's message) when there is none.</summary>
    public static List<string>? Load(SshdConfig config, bool createMissing, TextWriter stderr)
    {
        var loaded = new List<string>();
        foreach (var path in config.HostKeys)
        {
            if (path == "none")
                continue;
            if (!File.Exists(path) && createMissing && !SshdHostKeyFiles.TryCreate(path, stderr))
                continue;
            if (!SshdHostKeyFiles.CanLoad(path, stderr))
            {
                stderr.Write($"Unable to load host key: {path}\n");
                continue;
            }
            loaded.Add(path);
        }
        if (loaded.Count == 0)
        {
            stderr.Write("sshd: no hostkeys available -- exiting.\n");
            return null;
        }
        return loaded;
    }
}
