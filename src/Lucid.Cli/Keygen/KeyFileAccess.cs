using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>A private key as loaded from a file, with the comment the file carries (null for formats without one).</summary>
internal sealed record LoadedKey(SshPrivateKey Key, string? Comment);

/// <summary>Saving a private key failed; the message is the reason ssh-keygen would give.</summary>
internal sealed class KeySaveException(string message) : Exception(message);

/// <summary>The private key file had group/other permissions; the warning has already been printed.</summary>
internal sealed class KeyPermissionsException() : Exception("bad permissions");

/// <summary>
/// The seam between the tool and the library's key table and file formats, phrased the way
/// ssh-keygen needs them (OpenSSH's load/save semantics and error wording).
/// </summary>
internal static class KeyFileAccess
{
    public static SshPrivateKey Generate(KeyTypeName type, int bits) =>
        SshPrivateKey.Generate(type.Family, type == KeyTypeName.Ed25519 ? 0 : bits);

    public static SshPublicKey FromBlob(byte[] blob) => SshPublicKey.FromBlob(blob);

    public static string ToLine(SshPublicKey key, string? comment) => key.ToLine(comment);

    /// <summary>
    /// sshkey_read(): a "type base64" key at the start of <paramref name="text"/>; <paramref name="rest"/> is
    /// what follows it. Null when the text does not start with a well-formed key of a known type.
    /// </summary>
    public static SshPublicKey? TryReadPublicKey(string text, out string rest)
    {
        rest = "";
        var span = text.AsSpan().TrimStart(" \t");
        int typeEnd = span.IndexOfAny(' ', '\t');
        if (typeEnd <= 0 || (KeyAlgorithms.Find(span[..typeEnd].ToString()) is null && SshCertificate.PlainTypeOf(span[..typeEnd].ToString()) is null))
            return null;
        var afterType = span[typeEnd..].TrimStart(" \t");
        int dataEnd = afterType.IndexOfAny(' ', '\t');
        if (dataEnd < 0)
            dataEnd = afterType.Length;
        try
        {
            var key = SshPublicKey.ParseLine(string.Concat(span[..typeEnd], " ", afterType[..dataEnd]));
            rest = afterType[dataEnd..].ToString();
            return key;
        }
        catch (SshKeyFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// sshkey_load_public(): the file as a public key, else FILE.pub, else the clear public
    /// section of an OpenSSH private key. The comment is the .pub line's comment (or the .pub file name).
    /// </summary>
    public static (SshPublicKey? Key, string? Comment) LoadPublic(string path)
    {
        foreach (var candidate in new[] { path, path + ".pub" })
        {
            if (TryLoadPublicFile(candidate) is { } found)
                return found;
        }
        if (TryReadPublicSection(path) is { } key)
            return (key, null);
        return (null, null);
    }

    private static (SshPublicKey, string?)? TryLoadPublicFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        foreach (var raw in lines)
        {
            if (raw.Length == 0 || raw[0] == '#')
                continue;
            if (raw.StartsWith("-----BEGIN", StringComparison.Ordinal))
                return null;
            var key = TryReadPublicKey(raw, out string rest);
            if (key is null)
                continue;
            rest = rest.Trim();
            return (key, rest.Length > 0 ? rest : path);
        }
        return null;
    }

    /// <summary>Human wording for an I/O or load failure, as strerror/ssh_err would put it.</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        SshWrongPassphraseException => "incorrect passphrase supplied to decrypt private key",
        KeyPermissionsException => "bad permissions",
        SshKeyFormatException f => f.Problem,
        _ => e.Message,
    };

    /// <summary>The failures a load reports to the user (everything but a wrong passphrase is final).</summary>
    public static bool IsLoadFailure(Exception e) =>
        e is SshException or KeyPermissionsException or IOException or UnauthorizedAccessException;

    /// <summary>
    /// OpenSSH's permission check (the library's <see cref="PrivateKeyFile.CheckPermissions"/>, for files the
    /// user owns): prints the "UNPROTECTED PRIVATE KEY FILE!" block and refuses.
    /// </summary>
    public static void CheckPermissions(string path, KeygenConsole console)
    {
        try
        {
            PrivateKeyFile.CheckPermissions(path, Platform.FileOwnership.IsOwnedByCurrentUser);
        }
        catch (SshKeyPermissionException e)
        {
            foreach (var line in e.WarningLines)
                console.Log(line);
            throw new KeyPermissionsException();
        }
    }

    // ---- private key files (the library's PrivateKeyFile), with ssh-keygen's semantics on top ----

    /// <summary>
    /// sshkey_load_private(): permission check, then parse/decrypt. A wrong or missing passphrase throws
    /// <see cref="SshWrongPassphraseException"/>; "" means "try without one". The comment is null for PEM
    /// formats, which have none (OpenSSH then prints no "Key has comment" line).
    /// </summary>
    public static LoadedKey LoadPrivate(string path, string passphrase, KeygenConsole console)
    {
        CheckPermissions(path, console);
        string text = File.ReadAllText(path);
        SshPrivateKey key;
        try
        {
            key = PrivateKeyFile.Parse(text, passphrase.Length == 0 ? null : passphrase);
        }
        catch (SshKeyFormatException e) when (e.FileName is null)
        {
            throw e.At(path);
        }
        string? comment = PrivateKeyFile.DetectFormat(text) == PrivateKeyFormat.OpenSsh ? key.Comment : null;
        return new LoadedKey(key, comment);
    }

    /// <summary>Writes the private key (0600) in the -m format; OpenSSH's own format unless PEM/PKCS8 is asked.</summary>
    public static void SavePrivate(string path, SshPrivateKey key, string passphrase, string comment, KeyFileFormat format,
        int rounds = 0, string? cipher = null)
    {
        if (rounds == 0)
            rounds = OpenSshPrivateKeyFormat.DefaultRounds;
        var fileFormat = format switch
        {
            KeyFileFormat.Pem => PrivateKeyFormat.Pem,
            KeyFileFormat.Pkcs8 => PrivateKeyFormat.Pkcs8,
            _ => PrivateKeyFormat.OpenSsh,
        };
        // OpenSSL-encrypted formats refuse passphrases under five characters (ed25519 is always written
        // in OpenSSH's format, which has no such limit).
        if (fileFormat != PrivateKeyFormat.OpenSsh && key.KeyType != KeyAlgorithms.Ed25519 && passphrase.Length is > 0 and < 5)
            throw new KeySaveException("passphrase is too short (minimum five characters)");
        try
        {
            bool openSsh = fileFormat == PrivateKeyFormat.OpenSsh || key.KeyType == KeyAlgorithms.Ed25519;
            if (cipher is not null && openSsh)
                SaveOpenSshWithCipher(path, key, passphrase, comment, cipher, rounds);
            else
                PrivateKeyFile.Save(path, key, fileFormat, passphrase.Length == 0 ? null : passphrase, comment, rounds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new KeySaveException(Describe(e));
        }
    }

    // -Z: PrivateKeyFile.Save always uses aes256-ctr, so write the text ourselves, created 0600 and
    // moved into place the same way.
    private static void SaveOpenSshWithCipher(string path, SshPrivateKey key, string passphrase, string comment, string cipher, int rounds)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(OpenSshPrivateKeyFormat.Write(key, passphrase.Length == 0 ? null : passphrase, comment, cipher, rounds));
        string temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
                stream.Write(bytes);
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

    /// <summary>The unencrypted public key section of an openssh-key-v1 file, or null.</summary>
    public static SshPublicKey? TryReadPublicSection(string path)
    {
        try
        {
            return PrivateKeyFile.ReadPublicKeyWithoutPassphrase(File.ReadAllText(path));
        }
        catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The .pub file: "type base64 comment\n", mode 0644, byte for byte as ssh-keygen writes it.</summary>
    public static void SavePublic(string path, SshPublicKey key, string comment)
    {
        // ssh-keygen writes "type base64 comment\n" even for an empty comment (a trailing space then).
        File.WriteAllText(path, key.ToLine() + " " + comment + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
