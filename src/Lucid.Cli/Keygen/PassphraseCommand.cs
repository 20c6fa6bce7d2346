using Lucid.Ssh;

namespace Lucid.Cli.Keygen;

/// <summary>ssh-keygen -p: change (or add, or remove) a private key's passphrase.</summary>
internal static class PassphraseCommand
{
    public static int Run(KeygenOptions o, KeyFileFormat format, KeygenConsole console)
    {
        string path = KeygenPaths.Identity(o, console);
        if (!File.Exists(path))
            throw new KeygenFatalException($"{path}: No such file or directory");

        LoadedKey loaded;
        try
        {
            try
            {
                loaded = KeyFileAccess.LoadPrivate(path, "", console);
            }
            catch (SshWrongPassphraseException)
            {
                string old = o.Passphrase ?? console.AskSecret("Enter old passphrase: ");
                loaded = KeyFileAccess.LoadPrivate(path, old, console);
            }
        }
        catch (Exception e) when (KeyFileAccess.IsLoadFailure(e))
        {
            throw new KeygenFatalException($"Failed to load key {path}: {KeyFileAccess.Describe(e)}");
        }

        using var key = loaded.Key;
        if (loaded.Comment is not null)
            console.PrintLine($"Key has comment '{loaded.Comment}'");

        string passphrase;
        if (o.NewPassphrase is not null)
        {
            passphrase = o.NewPassphrase;
        }
        else
        {
            passphrase = console.AskSecret("Enter new passphrase (empty for no passphrase): ");
            string again = console.AskSecret("Enter same passphrase again: ");
            if (passphrase != again)
            {
                console.PrintLine("Pass phrases do not match.  Try again.");
                return 1;
            }
        }

        try
        {
            // Like ssh-keygen, the key is rewritten in the format -m names (OpenSSH's own by default).
            KeyFileAccess.SavePrivate(path, key, passphrase, loaded.Comment ?? "", format, o.Rounds, o.Cipher);
        }
        catch (KeySaveException e)
        {
            console.Log($"Saving key \"{path}\" failed: {e.Message}");
            return 1;
        }
        console.PrintLine("Your identification has been saved with the new passphrase.");
        return 0;
    }
}
