using System.Text;
using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -L [-E hash] -f file: prints every certificate in the file (or stdin with "-") exactly as OpenSSH's
/// do_show_cert/print_cert do; lines that are not certificates are reported on stderr. Exit 0 when at least one
/// certificate was shown, else 1.
/// </summary>
internal static class ShowCertificateCommand
{
    private const string Indent = "                ";

    // The options print_cert knows how to show, by section: their names alone (flags) or with their string value.
    private static readonly HashSet<string> KnownExtensions =
        ["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc", "no-touch-required"];

    private static readonly HashSet<string> ValuedCriticalOptions = ["force-command", "source-address"];

    public static int Run(KeygenOptions o, FingerprintHash hash, KeygenConsole console)
    {
        var input = KeygenPaths.ReadIdentityText(o, console);
        var (text, shown, fromStdin) = (input.Text, input.Shown, input.FromStdin);

        bool any = false;
        var lines = text.Split('\n');
        // A final newline ends the last line; it does not start another (getline).
        int count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (int n = 0; n < count; n++)
        {
            // Only '#' lines and a last line without any character are skipped: getline keeps the newline, so an
            // empty line is "an invalid key" to OpenSSH too.
            string line = lines[n].TrimStart(' ', '\t');
            if (line.StartsWith('#') || (line.Length == 0 && n == lines.Length - 1))
                continue;
            SshPublicKey key;
            try
            {
                key = SshPublicKey.ParseLine(line.TrimEnd('\r'));
            }
            catch (SshKeyFormatException e)
            {
                console.Log($"{shown}:{n + 1}: invalid key: {Reason(e)}");
                continue;
            }
            if (key is not SshCertificate certificate)
            {
                console.Log($"{shown}:{n + 1} is not a certificate");
                continue;
            }
            any = true;
            console.PrintLine(!fromStdin && n == 0 ? $"{shown}:" : $"{shown}:{n + 1}:");
            console.Print(Describe(certificate, hash));
        }
        return any ? 0 : 1;
    }

    /// <summary>print_cert's block for one certificate.</summary>
    public static string Describe(SshCertificate certificate, FingerprintHash hash)
    {
        var text = new StringBuilder();
        string kind = certificate.CertificateType == SshCertificateType.Host ? "host" : "user";
        text.Append($"        Type: {certificate.KeyType} {kind} certificate\n");
        text.Append($"        Public key: {KeyFingerprint.TypeLabel(certificate.KeyType)} {KeyFingerprint.Format(certificate.Key, hash)}\n");
        text.Append($"        Signing CA: {KeyFingerprint.TypeLabel(certificate.SignatureKey.KeyType)} " +
            $"{KeyFingerprint.Format(certificate.SignatureKey, hash)} (using {certificate.SignatureAlgorithm})\n");
        text.Append($"        Key ID: \"{certificate.KeyId}\"\n");
        text.Append($"        Serial: {certificate.Serial}\n");
        text.Append($"        Valid: {SshCertificateValidation.FormatValidity(certificate)}\n");
        text.Append("        Principals: ");
        if (certificate.Principals.Count == 0)
        {
            text.Append("(none)\n");
        }
        else
        {
            foreach (var principal in certificate.Principals)
                text.Append('\n').Append(Indent).Append(principal);
            text.Append('\n');
        }
        AppendOptions(text, "Critical Options", certificate.CriticalOptionList, critical: true);
        AppendOptions(text, "Extensions", certificate.ExtensionList, critical: false);
        return text.ToString();
    }

    // show_options: known flags by name, force-command/source-address with their value, anything else as hex.
    private static void AppendOptions(StringBuilder text, string title, IReadOnlyList<SshCertificateOption> options, bool critical)
    {
        text.Append($"        {title}: ");
        if (options.Count == 0)
        {
            text.Append("(none)\n");
            return;
        }
        text.Append('\n');
        foreach (var option in options)
        {
            text.Append(Indent).Append(option.Name);
            if (critical ? option.Name == "verify-required" : KnownExtensions.Contains(option.Name))
                text.Append('\n');
            else if (critical && ValuedCriticalOptions.Contains(option.Name))
                text.Append(' ').Append(option.Value ?? "").Append('\n');
            else if (!option.Data.IsEmpty)
                text.Append($" UNKNOWN OPTION: {Convert.ToHexStringLower(option.Data.Span)} (len {option.Data.Length})\n");
            else
                text.Append(" UNKNOWN FLAG OPTION\n");
        }
    }

    // sshkey_read's errors as ssh_err() words: the certificate's own problems, else a malformed line.
    private static string Reason(SshKeyFormatException e) => e.Problem switch
    {
        "incorrect signature" or "invalid certificate signing key" or "unknown/unsupported certificate type" => e.Problem,
        _ => "invalid format",
    };
}
