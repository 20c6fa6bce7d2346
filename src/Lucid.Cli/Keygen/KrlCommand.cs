using System.Globalization;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -k -f krl [-u] [-s ca_key] [-z version] [-C comment] file ... (do_gen_krl), writing a KRL from key
/// files, certificates and spec files (serial:, id:, key:, sha1:, sha256:, hash: lines), and
/// ssh-keygen -Q -f krl file ... (do_check_krl), printing "file (comment): REVOKED|ok" and exiting 1 when any is revoked.
/// </summary>
internal static class KrlCommand
{
    public static int Generate(KeygenOptions o, KeygenConsole console)
    {
        if (string.IsNullOrEmpty(o.File))
            throw new KeygenFatalException("KRL generation requires an output file");
        string output = Expand(o.File);
        if (o.UpdateKrl && !File.Exists(output))
            throw new KeygenFatalException($"KRL \"{output}\" does not exist");
        SshPublicKey? ca = null;
        bool anyCa = false;
        if (o.SignatureFile is not null)
        {
            if (string.Equals(o.SignatureFile, "none", StringComparison.OrdinalIgnoreCase))
                anyCa = true;
            else
            {
                string caPath = Expand(o.SignatureFile);
                ca = KeyFileAccess.LoadPublic(caPath).Key
                    ?? throw new KeygenFatalException($"Cannot load CA public key {caPath}: {(File.Exists(caPath) ? "invalid format" : "No such file or directory")}");
            }
        }
        var krl = o.UpdateKrl ? Load(output) : new KeyRevocationList();
        if (o.Serial != 0)
            krl.Version = o.Serial;
        if (o.Comment is not null)
            krl.Comment = o.Comment;
        foreach (var operand in o.Operands)
            new KrlSpecReader(krl, ca, anyCa).Read(operand == "-" ? "-" : Expand(operand), o.Quiet, console);
        File.WriteAllBytes(output, krl.ToBytes(DateTimeOffset.UtcNow));
        return 0;
    }

    public static int Check(KeygenOptions o, KeygenConsole console)
    {
        if (o.Fingerprint)
            throw new KeygenFatalException("ssh-keygen: -Q -l (printing the KRL) is not supported by lucid ssh-keygen yet", exitCode: 1);
        if (string.IsNullOrEmpty(o.File))
            throw new KeygenFatalException("KRL checking requires an input file");
        var krl = Load(Expand(o.File));
        int status = 0;
        foreach (var operand in o.Operands)
        {
            var (key, comment) = KeyFileAccess.LoadPublic(operand);
            if (key is null)
                throw new KeygenFatalException($"Cannot load public key {operand}: {(File.Exists(operand) ? "invalid format" : "No such file or directory")}");
            bool revoked = krl.IsRevoked(key);
            console.PrintLine($"{operand}{(string.IsNullOrEmpty(comment) ? "" : $" ({comment})")}: {(revoked ? "REVOKED" : "ok")}");
            if (revoked)
                status = 1;
        }
        return status;
    }

    private static KeyRevocationList Load(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"Unable to load KRL {path}: {KeyFileAccess.Describe(e)}");
        }
        try
        {
            return KeyRevocationList.Parse(data);
        }
        catch (SshKeyFormatException e)
        {
            throw new KeygenFatalException($"Invalid KRL file {path}: {e.Message}");
        }
    }

    private static string Expand(string path) => SshConfigExpansion.ExpandTilde(path, KeygenPaths.Home);
}

/// <summary>update_krl_from_file: one spec or key file's lines, each revoking what it names.</summary>
internal sealed class KrlSpecReader(KeyRevocationList krl, SshPublicKey? ca, bool anyCa)
{
    public void Read(string path, bool quiet, KeygenConsole console)
    {
        string shown = path == "-" ? "(standard input)" : path;
        string text;
        try
        {
            text = path == "-" ? console.ReadAllInput() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"fopen {path}: {KeyFileAccess.Describe(e)}");
        }
        if (!quiet)
            console.PrintLine($"Revoking from {shown}");
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            string line = StripComment(raw);
            if (line.Length > 0)
                Apply(line, $"{shown}:{number}");
        }
    }

    // Leading blanks, a '#' comment and trailing blanks go, as in ssh-keygen.
    private static string StripComment(string raw)
    {
        var line = raw.TrimStart(' ', '\t');
        int hash = line.IndexOf('#');
        if (hash >= 0)
            line = line[..hash];
        return line.TrimEnd(' ', '\t', '\r');
    }

    private void Apply(string line, string where)
    {
        if (TryPrefix(line, "serial:", out var rest))
        {
            RequireCa("serial number");
            var (low, high) = ParseSerials(rest, where);
            if (low == 0)
                throw new KeygenFatalException("update_krl_from_file: revoke serial failed");
            krl.RevokeSerials(ca, low, high);
        }
        else if (TryPrefix(line, "id:", out rest))
        {
            RequireCa("key ID");
            krl.RevokeKeyId(ca, rest);
        }
        else if (TryPrefix(line, "hash:", out rest))
        {
            if (!rest.StartsWith("SHA256:", StringComparison.Ordinal))
                throw new KeygenFatalException($"{where}: unsupported hash algorithm");
            byte[] hash;
            try
            {
                string b64 = rest["SHA256:".Length..];
                hash = Convert.FromBase64String(b64.PadRight((b64.Length + 3) / 4 * 4, '='));
            }
            catch (FormatException)
            {
                throw new KeygenFatalException($"{where}: decode hash failed: invalid format");
            }
            if (hash.Length != 32)
                throw new KeygenFatalException("update_krl_from_file: revoke key failed: invalid format");
            krl.RevokeSha256(hash);
        }
        else if (TryPrefix(line, "key:", out rest))
            krl.RevokeExplicit(ReadKey(rest, where));
        else if (TryPrefix(line, "sha1:", out rest))
            krl.RevokeSha1(System.Security.Cryptography.SHA1.HashData(PlainBlob(ReadKey(rest, where))));
        else if (TryPrefix(line, "sha256:", out rest))
            krl.RevokeSha256(System.Security.Cryptography.SHA256.HashData(PlainBlob(ReadKey(rest, where))));
        else
            krl.Revoke(ReadKey(line, where));
    }

    private void RequireCa(string what)
    {
        if (ca is null && !anyCa)
            throw new KeygenFatalException($"revoking certificates by {what} requires specification of a CA key");
    }

    // The hash of a certificate line is its certified key's, as sshkey_fingerprint_raw hashes the plain key.
    private static ReadOnlySpan<byte> PlainBlob(SshPublicKey key) => (key is SshCertificate c ? c.Key : key).Blob.Span;

    private static SshPublicKey ReadKey(string text, string where) =>
        KeyFileAccess.TryReadPublicKey(text, out _) ?? throw new KeygenFatalException($"{where}: invalid key: invalid format");

    private static bool TryPrefix(string line, string prefix, out string rest)
    {
        rest = "";
        if (!line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        rest = line[prefix.Length..].TrimStart(' ', '\t');
        return true;
    }

    // "N" or "N-M" with strtoull base 0 numbers (decimal, 0x hex, leading-0 octal); a range must go upwards.
    private static (ulong Low, ulong High) ParseSerials(string text, string where)
    {
        int dash = text.IndexOf('-');
        string first = dash < 0 ? text : text[..dash];
        ulong low = ParseNumber(first, text, where);
        if (dash < 0)
            return (low, low);
        string second = text[(dash + 1)..];
        ulong high = ParseNumber(second, second, where);
        if (high <= low)
            throw new KeygenFatalException($"{where}: invalid serial range {low}:{high}");
        return (low, high);
    }

    private static ulong ParseNumber(string digits, string shown, string where)
    {
        var (body, style, radix) = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (digits[2..], NumberStyles.AllowHexSpecifier, 16)
            : digits.Length > 1 && digits[0] == '0' ? (digits[1..], NumberStyles.None, 8) : (digits, NumberStyles.None, 10);
        if (body.Length == 0 || !body.All(c => radix == 16 ? char.IsAsciiHexDigit(c) : c >= '0' && c < '0' + radix))
            throw new KeygenFatalException($"{where}: invalid serial \"{shown}\"");
        try
        {
            return radix == 8 ? Convert.ToUInt64(body, 8) : ulong.Parse(body, style, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw new KeygenFatalException($"{where}: serial out of range");
        }
    }
}
