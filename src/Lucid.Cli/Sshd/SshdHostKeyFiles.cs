namespace Lucid.Cli.Sshd;

/// <summary>
/// Reading and creating host key files. Until the key-file formats land in Lucid.Ssh.Keys this only
/// checks that a key file can be opened, and creates missing default keys with ssh-keygen when present.
/// </summary>
internal static class SshdHostKeyFiles
{
    public static bool CanLoad(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return f.Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static bool TryCreate(string path, TextWriter stderr)
    {
        var name = Path.GetFileName(path);
        var type = name.Contains("ed25519") ? "ed25519" : name.Contains("ecdsa") ? "ecdsa" : "rsa";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ssh-keygen")
            {
                ArgumentList = { "-q", "-t", type, "-N", "", "-C", "lucid host key", "-f", path },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            p!.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            stderr.Write($"Could not create host key {path}\n");
            return false;
        }
    }
}
