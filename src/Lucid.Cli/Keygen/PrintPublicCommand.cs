using Lucid.Ssh;

namespace Lucid.Cli.Keygen;

/// <summary>ssh-keygen -y: print the public key of a private key file.</summary>
internal static class PrintPublicCommand
{
    public static int Run(KeygenOptions o, KeygenConsole console)
    {
        string path = KeygenPaths.Identity(o, console);
        if (!File.Exists(path))
            throw new KeygenFatalException($"{path}: No such file or directory");
        var loaded = LoadIdentity(path, o.Passphrase, console);
        using var key = loaded.Key;
        console.PrintLine(KeyFileAccess.ToLine(key.PublicKey, loaded.Comment));
        return 0;
    }

    /// <summary>
    /// ssh-keygen's load_identity(): try without a passphrase; if the key is encrypted use -P or ask
    /// "Enter passphrase: "; any failure is fatal as "Load key "path": reason".
    /// </summary>
    public static LoadedKey LoadIdentity(string path, string? passphrase, KeygenConsole console)
    {
        try
        {
            return KeyFileAccess.LoadPrivate(path, "", console);
        }
        catch (SshWrongPassphraseException)
        {
        }
        catch (Exception e) when (KeyFileAccess.IsLoadFailure(e))
        {
            throw new KeygenFatalException($"Load key \"{path}\": {KeyFileAccess.Describe(e)}");
        }
        passphrase ??= console.AskSecret("Enter passphrase: ");
        try
        {
            return KeyFileAccess.LoadPrivate(path, passphrase, console);
        }
        catch (Exception e) when (KeyFileAccess.IsLoadFailure(e))
        {
            throw new KeygenFatalException($"Load key \"{path}\": {KeyFileAccess.Describe(e)}");
        }
    }
}
