using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -s ca_key -I key_id [-h] [-n principals] [-V validity] [-z serial] [-O option] [-t algorithm] file ...:
/// certifies each public key with the CA key and writes FILE-cert.pub beside it (do_ca_sign), with ssh-keygen's
/// messages and exit codes. The CA signs through <see cref="ISshSigner"/> (the library's certificate builder).
/// </summary>
internal static class CertifyCommand
{
    private static readonly string[] ShortNames = ["RSA", "DSA", "ECDSA", "ECDSA-SK", "ED25519", "ED25519-SK"];

    public static int Run(KeygenOptions o, KeygenConsole console)
    {
        if (o.Principal is null)
            throw new KeygenFatalException("Must specify key id (-I) when certifying");
        var options = new CertificateOptions(o.HostCertificate);
        foreach (var option in o.SignOptions)
            options.Add(option, console);

        string caPath = Expand(o.SignatureFile!);
        var loaded = PrintPublicCommand.LoadIdentity(caPath, o.Passphrase, console);
        using var ca = loaded.Key;
        string? algorithm = SignatureAlgorithm(o.KeyType, ca.PublicKey);
        // sshkey_certify: a name of the CA's type it cannot sign with fails for each key, as RSA's "invalid argument".
        string? unsupported = algorithm is null || ca.PublicKey.SignatureAlgorithms.Contains(algorithm) ? null
            : ca.KeyType == KeyAlgorithms.Rsa ? "invalid argument" : "signature algorithm not supported";

        ulong serial = o.Serial;
        foreach (var operand in o.Operands)
        {
            var principals = SplitPrincipals(o.Namespace);
            string path = Expand(operand);
            var (key, comment) = KeyFileAccess.LoadPublic(path);
            if (key is null)
                throw new KeygenFatalException($"load pubkey \"{path}\": {(File.Exists(path) ? "invalid format" : "No such file or directory")}");
            if (key is SshCertificate)
                throw new KeygenFatalException($"do_ca_sign: key \"{path}\" type {KeyFingerprint.TypeLabel(key.KeyType)} cannot be certified");

            var builder = new SshCertificateBuilder(key, o.HostCertificate ? SshCertificateType.Host : SshCertificateType.User, o.Principal)
            {
                Serial = serial,
                ValidAfter = o.Validity.From,
                ValidBefore = o.Validity.To,
            };
            foreach (var principal in principals)
                builder.Principals.Add(principal);
            options.ApplyTo(builder);

            SshCertificate certificate;
            try
            {
                if (unsupported is not null)
                    throw new SshException(unsupported);
                certificate = builder.SignAsync(ca, algorithm).AsTask().GetAwaiter().GetResult();
            }
            catch (SshException e)
            {
                throw new KeygenFatalException($"Couldn't certify key {path}: {e.Message}");
            }

            string output = (path.EndsWith(".pub", StringComparison.Ordinal) ? path[..^4] : path) + "-cert.pub";
            try
            {
                KeyFileAccess.SavePublic(output, certificate, comment ?? path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KeygenFatalException($"Unable to save public key to {output}: {KeyFileAccess.Describe(e)}");
            }
            if (!o.Quiet)
            {
                string kind = certificate.CertificateType == SshCertificateType.Host ? "host" : "user";
                string forWhom = o.Namespace is null ? "" : " for " + o.Namespace;
                console.Log($"Signed {kind} key {output}: id \"{certificate.KeyId}\" serial {certificate.Serial}{forWhom} " +
                    $"valid {SshCertificateValidation.FormatValidity(certificate)}");
            }
            if (o.SerialIncrements)
                serial++;
        }
        return 0;
    }

    // -n: a comma list; an empty name anywhere is fatal, as is a list past OpenSSH's limit.
    private static List<string> SplitPrincipals(string? list)
    {
        if (list is null)
            return [];
        var names = list.Split(',').ToList();
        if (names.Contains(""))
            throw new KeygenFatalException("Empty principal name");
        if (names.Count > SshCertificateBuilder.MaxPrincipals)
            throw new KeygenFatalException("Too many certificate principals specified");
        return names;
    }

    /// <summary>
    /// -t with -s names the CA's signature algorithm. Like ssh-keygen it must be of the CA's key type (by full
    /// or short name); without it an RSA CA signs with rsa-sha2-512 and the others with their only algorithm.
    /// A name of the right type that the key cannot sign with fails when signing, with OpenSSH's reason.
    /// </summary>
    private static string? SignatureAlgorithm(string? name, SshPublicKey ca)
    {
        if (name is null)
            return null;
        string? family = KeyAlgorithms.KeyTypeOfSignatureAlgorithm(name) is { } type && SshCertificate.PlainTypeOf(type) is null
            ? KeyFingerprint.TypeLabel(type)
            : ShortNames.FirstOrDefault(s => s.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (family != KeyFingerprint.TypeLabel(ca.KeyType))
            throw new KeygenFatalException($"CA key type {ca.KeyType} doesn't match specified {name}");
        return name;
    }

    private static string Expand(string path) => SshConfigExpansion.ExpandTilde(path, KeygenPaths.Home);
}
