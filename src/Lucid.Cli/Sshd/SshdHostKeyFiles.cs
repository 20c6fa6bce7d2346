namespace Lucid.Cli.Sshd;

/// <summary>
/// Checking and creating host key files (openssh-key-v1, as ssh-keygen writes them).
/// </summary>
internal static class SshdHostKeyFiles
{
    /// <summary>
    /// Whether sshd can use the file: readable, a key, and not accessible by others (sshkey_perm_ok; a bad
    /// mode prints OpenSSH's warning block and "Unable to load host key \"path\": bad permissions").
    /// </summary>
    public static bool CanLoad(string path, TextWriter stderr)
    {
        try
        {
            Lucid.Ssh.Keys.PrivateKeyFile.CheckPermissions(path, Platform.FileOwnership.IsOwnedByCurrentUser);
        }
        catch (Lucid.Ssh.Keys.SshKeyPermissionException e)
        {
            stderr.Write(e.Warning);
            stderr.Write($"Unable to load host key \"{path}\": {e.Message}\n");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        try
        {
            using var key = Lucid.Ssh.Keys.OpenSshPrivateKeyFormat.Read(File.ReadAllText(path), passphrase: null);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Lucid.Ssh.SshException)
        {
            return false;
        }
    }

    /// <summary>Creates a missing default host key (mode 0600, with its .pub next to it).</summary>
    public static bool TryCreate(string path, TextWriter stderr)
    {
        var name = Path.GetFileName(path);
        var type = name.Contains("ed25519") ? "ssh-ed25519" : name.Contains("ecdsa") ? "ecdsa-sha2-nistp256" : "ssh-rsa";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var key = Lucid.Ssh.Keys.SshPrivateKey.Generate(type);
            var comment = $"{Platform.Users.Current.Name}@{Environment.MachineName}";
            File.WriteAllText(path, Lucid.Ssh.Keys.OpenSshPrivateKeyFormat.Write(key, null, comment));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path + ".pub", key.PublicKey.ToLine(comment) + "\n");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.Write($"Could not create host key {path}: {e.Message}\n");
            return false;
        }
    }
}
