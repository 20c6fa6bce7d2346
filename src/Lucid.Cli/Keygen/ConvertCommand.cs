using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -e / -i: convert public keys to and from RFC 4716, PKCS#8 (SubjectPublicKeyInfo) and PEM (PKCS#1);
/// -i also imports an SSH.COM private key, printed as OpenSSH prints it: PEM (PKCS#1).
/// </summary>
internal static class ConvertCommand
{
    public static int Export(KeygenOptions o, KeyFileFormat format, KeygenConsole console)
    {
        string path = KeygenPaths.Identity(o, console);
        if (!File.Exists(path))
            throw new KeygenFatalException($"ssh-keygen: {path}: No such file or directory");

        // Like ssh-keygen: a public key (the file itself or FILE.pub), else the private key, asking for its passphrase.
        var (key, _) = KeyFileAccess.LoadPublic(path);
        if (key is null)
        {
            var loaded = PrintPublicCommand.LoadIdentity(path, o.Passphrase, console);
            key = loaded.Key.PublicKey;
            loaded.Key.Dispose();
        }
        var blob = key.Blob.Span;
        string label = KeyFingerprint.TypeLabel(key.KeyType);
        try
        {
            console.Print(format switch
            {
                KeyFileFormat.Pkcs8 => PublicKeyPemFormat.WritePkcs8(blob),
                KeyFileFormat.Pem => PublicKeyPemFormat.WritePem(blob),
                _ => Rfc4716Format.Write(blob, $"{key.SizeInBits}-bit {label}, converted by {KeygenPaths.UserAtHost} from OpenSSH"),
            });
        }
        catch (SshKeyFormatException e)
        {
            string function = format == KeyFileFormat.Pem ? "do_convert_to_pem" : "do_convert_to_pkcs8";
            throw new KeygenFatalException($"{function}: {e.Problem}");
        }
        return 0;
    }

    public static int Import(KeygenOptions o, KeyFileFormat format, KeygenConsole console)
    {
        string path = KeygenPaths.Identity(o, console);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"ssh-keygen: {path}: {KeyFileAccess.Describe(e)}");
        }
        try
        {
            if (format == KeyFileFormat.Default && SshComPrivateKeyFormat.LooksLike(text))
                return ImportSshComPrivate(text, console);
            byte[] blob = format switch
            {
                KeyFileFormat.Pkcs8 or KeyFileFormat.Pem => PublicKeyPemFormat.Read(text),
                _ => Rfc4716Format.Read(text).Blob,
            };
            // Parsing through the key table validates the key (curve points, sizes), not just the encoding.
            var key = KeyFileAccess.FromBlob(blob);
            console.PrintLine(KeyFileAccess.ToLine(key, null));
            return 0;
        }
        catch (SshKeyFormatException e)
        {
            throw new KeygenFatalException(e.At(path).Message);
        }
    }

    private static int ImportSshComPrivate(string text, KeygenConsole console)
    {
        var doc = Rfc4716Format.Read(text, SshComPrivateKeyFormat.BeginMarker, SshComPrivateKeyFormat.EndMarker);
        var der = SshComPrivateKeyFormat.ReadRsaPkcs1(doc.Blob);
        try
        {
            console.Print(new string(System.Security.Cryptography.PemEncoding.Write("RSA PRIVATE KEY", der)) + "\n");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(der);
        }
        return 0;
    }
}
