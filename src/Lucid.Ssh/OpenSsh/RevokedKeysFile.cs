using Lucid.Ssh.Keys;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// sshd's RevokedKeys file as authfile.c's sshkey_check_revoked reads it: a KRL when it starts with the KRL
/// magic, otherwise a list of public keys, one per line (# comments and blank lines skipped). A listed key
/// revokes itself, its certificates and every certificate it signed. The file is read at each check, so
/// an updated list applies to the next login without a restart.
/// </summary>
public static class RevokedKeysFile
{
    /// <summary>
    /// Whether <paramref name="key"/> is revoked by the file. A file that cannot be read or parsed throws
    /// (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>, <see cref="SshKeyFormatException"/>):
    /// the caller refuses the key, as sshd does ("Error checking authentication key ...").
    /// </summary>
    public static bool IsRevoked(string path, SshPublicKey key)
    {
        var data = File.ReadAllBytes(path);
        if (KeyRevocationList.IsKrl(data))
            return KeyRevocationList.Parse(data).IsRevoked(key);
        return ListContains(System.Text.Encoding.UTF8.GetString(data), key);
    }

    /// <summary>Checks that the file can be used (read and, for a KRL, parsed); null when it can, else the reason.</summary>
    public static string? Problem(string path)
    {
        try
        {
            var data = File.ReadAllBytes(path);
            if (KeyRevocationList.IsKrl(data))
                KeyRevocationList.Parse(data);
            else
                ListContains(System.Text.Encoding.UTF8.GetString(data), null);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException)
        {
            return Describe(e);
        }
    }

    /// <summary>The reason in OpenSSH's words (strerror or the format problem).</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        SshKeyFormatException f => f.Problem,
        _ => e.Message,
    };

    /// <summary>sshkey_in_file(key, file, strict_type = 0, check_ca = 1); a line that is not a key fails the whole file.</summary>
    private static bool ListContains(string text, SshPublicKey? key)
    {
        var plain = key is SshCertificate c ? c.Key : key;
        var issuer = (key as SshCertificate)?.SignatureKey;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
                continue;
            SshPublicKey listed;
            try
            {
                listed = SshPublicKey.ParseLine(line);
            }
            catch (SshKeyFormatException e)
            {
                throw new SshKeyFormatException($"line {number}: {e.Problem}");
            }
            var listedPlain = listed is SshCertificate lc ? lc.Key : listed;
            if (plain is not null && (listedPlain.Equals(plain) || (issuer is not null && listedPlain.Equals(issuer))))
                return true;
        }
        return false;
    }
}
