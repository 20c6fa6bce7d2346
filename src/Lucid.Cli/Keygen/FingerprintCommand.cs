using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -l [-v] [-E hash] or -B: fingerprint (-B: the SHA-1 fingerprint in Bubble Babble) a private
/// key, a public key, or every key line of an authorized_keys or known_hosts file ("-" reads stdin).
/// </summary>
internal static class FingerprintCommand
{
    public static int Run(KeygenOptions o, FingerprintHash hash, KeygenConsole console)
    {
        var style = new Style(hash, o.Verbose > 0 && !o.Bubblebabble, o.Bubblebabble);
        var input = KeygenPaths.ReadIdentityText(o, console);
        var (path, text, shown, fromStdin) = (input.Path, input.Text, input.Shown, input.FromStdin);

        // An RFC 4716 file (what -e writes) has one key; OpenSSH cannot fingerprint it, we can.
        if (Rfc4716Format.LooksLike(text))
        {
            try
            {
                var doc = Rfc4716Format.Read(text);
                Print(KeyFileAccess.FromBlob(doc.Blob), doc.Comment, style, console);
                return 0;
            }
            catch (SshKeyFormatException e)
            {
                throw new KeygenFatalException(e.At(shown).Message);
            }
        }

        bool found = false;
        var lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].TrimEnd('\r').TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
                continue;
            if (n == 0 && !fromStdin && line.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                FingerprintPrivate(path, style, console);
                return 0;
            }
            if (ParseKeyLine(line) is not { } parsed)
            {
                console.Debug(1, $"{shown}:{n + 1}: not a public key");
                continue;
            }
            Print(parsed.Key, parsed.Comment, style, console);
            found = true;
        }
        if (!found)
            throw new KeygenFatalException($"{shown} is not a public key file.");
        return 0;
    }

    /// <summary>
    /// A key at the start of the line, or after one leading field (authorized_keys options or
    /// known_hosts host names, quotes respected). The comment is what follows the key, else that field.
    /// </summary>
    internal static (SshPublicKey Key, string? Comment)? ParseKeyLine(string line)
    {
        string? comment = null;
        var key = KeyFileAccess.TryReadPublicKey(line, out string rest);
        if (key is null)
        {
            int i = 0;
            bool quoted = false;
            for (; i < line.Length && (quoted || (line[i] != ' ' && line[i] != '\t')); i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '"')
                    i++;
                else if (line[i] == '"')
                    quoted = !quoted;
            }
            if (i >= line.Length)
                return null;
            comment = line[..i];
            key = KeyFileAccess.TryReadPublicKey(line[(i + 1)..], out rest);
            if (key is null)
                return null;
        }
        rest = rest.TrimStart(' ', '\t');
        if (rest.Length > 0 && rest[0] != '#')
            comment = rest;
        return (key, comment);
    }

    // fingerprint_private(): the public half from the file, FILE.pub or the private file's clear
    // public section; the comment from .pub, else from the private key when it opens without a passphrase.
    private static void FingerprintPrivate(string path, Style style, KeygenConsole console)
    {
        var (publicKey, comment) = KeyFileAccess.LoadPublic(path);
        if (publicKey is null)
            console.Debug(1, $"load public \"{path}\": No such file or directory");
        SshPrivateKey? privateKey = null;
        try
        {
            if (publicKey is null || string.IsNullOrEmpty(comment))
            {
                try
                {
                    var loaded = KeyFileAccess.LoadPrivate(path, "", console);
                    privateKey = loaded.Key;
                    comment = loaded.Comment;
                }
                catch (Exception e) when (e is SshWrongPassphraseException || KeyFileAccess.IsLoadFailure(e))
                {
                    console.Debug(1, $"load private \"{path}\": {KeyFileAccess.Describe(e)}");
                }
            }
            var key = publicKey ?? privateKey?.PublicKey ?? throw new KeygenFatalException($"{path} is not a key file.");
            Print(key, comment, style, console);
        }
        finally
        {
            privateKey?.Dispose();
        }
    }

    /// <summary>How each key is shown: the fingerprint hash, the random art (-v), or Bubble Babble (-B, which has no art).</summary>
    private sealed record Style(FingerprintHash Hash, bool RandomArt, bool Bubblebabble);

    private static void Print(SshPublicKey key, string? comment, Style style, KeygenConsole console)
    {
        var fingerprint = style.Bubblebabble ? Lucid.Ssh.Keys.Bubblebabble.Fingerprint(key) : KeyFingerprint.Format(key, style.Hash);
        console.PrintLine($"{key.SizeInBits} {fingerprint} {comment ?? "no comment"} ({KeyFingerprint.TypeLabel(key.KeyType)})");
        if (style.RandomArt)
            console.PrintLine(RandomArt.Draw(key, style.Hash));
    }
}
