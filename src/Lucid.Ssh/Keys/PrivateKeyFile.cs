using System.Text;

namespace Lucid.Ssh.Keys;

/// <summary>
/// Private key files on disk: loading with format detection and OpenSSH's permission check, saving with
/// mode 0600 from the first byte.
/// </summary>
public static class PrivateKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int GroupOrOtherBits = 0x3f; // 077

    /// <summary>
    /// Loads a private key, any supported format. Refuses a file others can access
    /// (<see cref="SshKeyPermissionException"/>) unless <paramref name="checkPermissions"/> is false.
    /// Format errors name the file.
    /// </summary>
    public static SshPrivateKey Load(string path, string? passphrase = null, bool checkPermissions = true)
    {
        if (checkPermissions)
            CheckPermissions(path);
        string text = File.ReadAllText(path, Encoding.UTF8);
        try
        {
            return Parse(text, passphrase);
        }
        catch (SshKeyFormatException e) when (e.FileName is null)
        {
            throw e.At(path);
        }
    }

    /// <summary>Parses file contents in any supported format.</summary>
    public static SshPrivateKey Parse(string text, string? passphrase = null) => DetectFormat(text) switch
    {
        PrivateKeyFormat.OpenSsh => OpenSshPrivateKeyFormat.Read(text, passphrase),
        PrivateKeyFormat.Pem or PrivateKeyFormat.Pkcs8 => PemPrivateKeyFormat.Read(text, passphrase),
        _ => throw new SshKeyFormatException("invalid format"),
    };

    /// <summary>The file's format, or null when it is none Lucid reads.</summary>
    public static PrivateKeyFormat? DetectFormat(string text)
    {
        if (OpenSshPrivateKeyFormat.IsOpenSshPrivateKey(text))
            return PrivateKeyFormat.OpenSsh;
        return PemPrivateKeyFormat.DetectLabel(text) switch
        {
            PemPrivateKeyFormat.RsaLabel or PemPrivateKeyFormat.EcLabel => PrivateKeyFormat.Pem,
            PemPrivateKeyFormat.Pkcs8Label or PemPrivateKeyFormat.EncryptedPkcs8Label => PrivateKeyFormat.Pkcs8,
            _ => null,
        };
    }

    /// <summary>True when reading the file needs a passphrase.</summary>
    public static bool IsEncrypted(string text) => DetectFormat(text) switch
    {
        PrivateKeyFormat.OpenSsh => OpenSshPrivateKeyFormat.IsEncrypted(text),
        PrivateKeyFormat.Pem or PrivateKeyFormat.Pkcs8 => PemPrivateKeyFormat.IsEncrypted(text),
        _ => throw new SshKeyFormatException("invalid format"),
    };

    /// <summary>
    /// The public key a file reveals without its passphrase (openssh-key-v1 keeps it in the clear), or null
    /// for PEM formats, where it is encrypted with the rest.
    /// </summary>
    public static SshPublicKey? ReadPublicKeyWithoutPassphrase(string text) =>
        DetectFormat(text) == PrivateKeyFormat.OpenSsh ? OpenSshPrivateKeyFormat.ReadPublicKey(text) : null;

    /// <summary>
    /// OpenSSH's sshkey_perm_ok, the one home of the rule for every tool: a key file with any group or other
    /// permission bit set is refused (<see cref="SshKeyPermissionException"/>, whose warning is OpenSSH's block).
    /// OpenSSH only polices files owned by the user running it; .NET cannot see a file's owner, so a caller
    /// that can passes <paramref name="isOwnedByCaller"/>, and without it every file is checked.
    /// </summary>
    public static void CheckPermissions(string path, Func<string, bool>? isOwnedByCaller = null)
    {
        if (OperatingSystem.IsWindows())
            return;
        int mode = (int)File.GetUnixFileMode(path);
        if ((mode & GroupOrOtherBits) != 0 && (isOwnedByCaller is null || isOwnedByCaller(path)))
            throw new SshKeyPermissionException(path, mode);
    }

    /// <summary>The file text for a key in a format, as ssh-keygen writes it. Ed25519 is always openssh-key-v1, as with ssh-keygen.</summary>
    public static string Format(SshPrivateKey key, PrivateKeyFormat format = PrivateKeyFormat.OpenSsh, string? passphrase = null,
        string? comment = null, int rounds = OpenSshPrivateKeyFormat.DefaultRounds)
    {
        if (key is Ed25519PrivateKey)
            format = PrivateKeyFormat.OpenSsh;
        return format switch
        {
            PrivateKeyFormat.Pem => PemPrivateKeyFormat.WritePem(key, passphrase),
            PrivateKeyFormat.Pkcs8 => PemPrivateKeyFormat.WritePkcs8(key, passphrase),
            _ => OpenSshPrivateKeyFormat.Write(key, passphrase, comment, rounds: rounds),
        };
    }

    /// <summary>
    /// Writes the key file with mode 0600. The text goes to a new file created 0600 next to the target,
    /// which then replaces the target, so the key is never readable by others, not even briefly, and an
    /// interrupted save leaves the old file intact.
    /// </summary>
    public static void Save(string path, SshPrivateKey key, PrivateKeyFormat format = PrivateKeyFormat.OpenSsh,
        string? passphrase = null, string? comment = null, int rounds = OpenSshPrivateKeyFormat.DefaultRounds)
    {
        var bytes = Encoding.UTF8.GetBytes(Format(key, format, passphrase, comment, rounds));
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
