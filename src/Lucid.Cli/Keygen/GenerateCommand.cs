using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>ssh-keygen with no operation flag: generate a key pair and save both halves.</summary>
internal static class GenerateCommand
{
    public static int Run(KeygenOptions o, KeyFileFormat format, FingerprintHash hash, KeygenConsole console)
    {
        // ssh-keygen 9.5 and later default to ed25519; so do we.
        string typeName = o.KeyType ?? "ed25519";
        if (typeName.Equals("dsa", StringComparison.OrdinalIgnoreCase) || typeName == "ssh-dss")
            throw new KeygenFatalException("DSA keys are not supported: DSA is limited to 1024 bits and considered broken; use ed25519");
        var resolved = KeyTypeNames.ResolveWithBits(typeName) ?? throw new KeygenFatalException($"unknown key type {typeName}");
        var type = resolved.Type;
        int bits = ValidBits(type, o.Bits != 0 ? o.Bits : resolved.ImpliedBits != 0 ? resolved.ImpliedBits : type.DefaultBits);

        if (!o.Quiet)
            console.PrintLine($"Generating public/private {typeName} key pair.");
        using var key = KeyFileAccess.Generate(type, bits);

        string path = o.File ?? KeygenPaths.AskFilename(o, console, "Enter file in which to save the key");
        CreateUserSshDirectory(path, !o.Quiet, console);
        if (File.Exists(path) || Directory.Exists(path))
        {
            console.PrintLine($"{path} already exists.");
            string? answer = console.Ask("Overwrite (y/n)? ");
            if (answer is null || answer.Length == 0 || (answer[0] != 'y' && answer[0] != 'Y'))
                throw KeygenFatalException.Exit(1);
        }

        string passphrase = o.Passphrase ?? o.NewPassphrase ?? AskNewPassphrase(console);
        string comment = o.Comment ?? KeygenPaths.UserAtHost;
        try
        {
            KeyFileAccess.SavePrivate(path, key, passphrase, comment, format, o.Rounds, o.Cipher);
        }
        catch (KeySaveException e)
        {
            console.Log($"Saving key \"{path}\" failed: {e.Message}");
            return 1;
        }
        if (!o.Quiet)
            console.PrintLine($"Your identification has been saved in {path}");

        string publicPath = path + ".pub";
        try
        {
            KeyFileAccess.SavePublic(publicPath, key.PublicKey, comment);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"Unable to save public key to {publicPath}: {KeyFileAccess.Describe(e)}");
        }
        if (!o.Quiet)
        {
            console.PrintLine($"Your public key has been saved in {publicPath}");
            console.PrintLine("The key fingerprint is:");
            console.PrintLine($"{KeyFingerprint.Format(key.PublicKey, hash)} {comment}");
            console.PrintLine("The key's randomart image is:");
            console.PrintLine(RandomArt.Draw(key.PublicKey, hash));
        }
        return 0;
    }

    private static int ValidBits(KeyTypeName type, int bits)
    {
        if (type == KeyTypeName.Rsa)
        {
            if (bits < 1024)
                throw new KeygenFatalException("Invalid RSA key length: minimum is 1024 bits");
            if (bits > 16384)
                throw new KeygenFatalException("Invalid RSA key length: maximum is 16384 bits");
        }
        else if (type == KeyTypeName.Ecdsa && bits is not (256 or 384 or 521))
        {
            throw new KeygenFatalException("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits");
        }
        else if (type == KeyTypeName.Ed25519)
        {
            bits = 256; // ssh-keygen ignores -b for ed25519
        }
        return bits;
    }

    /// <summary>read_check_passphrase(): ask twice until both answers agree.</summary>
    private static string AskNewPassphrase(KeygenConsole console)
    {
        bool retried = false;
        while (true)
        {
            string first = console.AskSecret("Enter passphrase (empty for no passphrase): ");
            string second = console.AskSecret("Enter same passphrase again: ");
            // Input that ends after a mismatch must not silently become an empty passphrase.
            if (retried && console.InputExhausted)
                throw KeygenFatalException.Exit(1);
            if (first == second)
                return first;
            console.PrintLine("Passphrases do not match.  Try again.");
            retried = true;
        }
    }

    // Like OpenSSH: saving into a missing ~/.ssh creates it (0700) and says so.
    private static void CreateUserSshDirectory(string path, bool notify, KeygenConsole console)
    {
        string sshDir = Path.Combine(KeygenPaths.Home, ".ssh");
        string? dir = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(dir) || Path.GetFullPath(dir) != Path.GetFullPath(sshDir) || Directory.Exists(sshDir))
            return;
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(sshDir);
            else
                Directory.CreateDirectory(sshDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (notify)
                console.Log($"Created directory '{sshDir}'.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Log($"Could not create directory '{sshDir}' ({KeyFileAccess.Describe(e)}).");
        }
    }
}
