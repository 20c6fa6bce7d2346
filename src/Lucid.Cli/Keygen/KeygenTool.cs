using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>
/// `lucid ssh-keygen`: OpenSSH's ssh-keygen for the key operations (generate, -y, -l, -p, -e, -i),
/// with its flags, prompts, messages and exit codes (1 for usage and refusals, 255 for fatal errors).
/// </summary>
internal static class KeygenTool
{
    public static int Run(string[] args) => Run(args, KeygenConsole.System());

    public static int Run(string[] args, KeygenConsole console)
    {
        try
        {
            var options = KeygenOptions.Parse(args);
            console.Verbosity = options.Verbose;
            return Dispatch(options, console);
        }
        catch (KeygenUsageException e)
        {
            console.Log(e.Message);
            console.ErrorRaw(Usage);
            return 1;
        }
        catch (KeygenFatalException e)
        {
            if (e.Message.Length > 0)
                console.Log(e.Message);
            return e.ExitCode;
        }
        catch (IOException e) when (e.Message.Contains("Broken pipe", StringComparison.Ordinal))
        {
            // ssh-keygen dies of SIGPIPE silently; exit as a process killed by it would (128 + 13).
            return 141;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Log($"ssh-keygen: {KeyFileAccess.Describe(e)}");
            return 255;
        }
        catch (SshException e)
        {
            // Anything the library refuses that a command did not phrase itself.
            console.Log(e.Message);
            return 255;
        }
        finally
        {
            try
            {
                console.Out.Flush();
            }
            catch (IOException)
            {
                // The reader went away (`| head`); like ssh-keygen on SIGPIPE, there is no one left to tell.
            }
        }
    }

    private static int Dispatch(KeygenOptions o, KeygenConsole console)
    {
        var hash = FingerprintHash.Sha256;
        if (o.HashName is not null && !KeyFingerprint.TryParseHashName(o.HashName, out hash))
            throw new KeygenFatalException($"Invalid hash algorithm \"{o.HashName}\"");
        if (o.SignOperation is not null)
            return SignCommand.Run(o, hash, console);
        // As ssh-keygen's main(): -k and -Q come before certifying, so -s names the KRL's CA there.
        if (o.GenerateKrl)
            return KrlCommand.Generate(o, console);
        if (o.CheckKrl)
            return KrlCommand.Check(o, console);
        if (o.SignatureFile is not null)
        {
            if (o.Operands.Count == 0)
            {
                console.Log("Too few arguments.");
                console.ErrorRaw(Usage);
                return 1;
            }
            return CertifyCommand.Run(o, console);
        }
        if (o.Moduli is not null)
            return ModuliCommand.Run(o, console);
        if (o.Operands.Count > 0)
        {
            console.Log("Too many arguments.");
            console.ErrorRaw(Usage);
            return 1;
        }
        if (o.ShowCertificate)
            return ShowCertificateCommand.Run(o, hash, console);
        if (o.FindHost is not null || o.RemoveHost is not null || o.HashHosts)
            return KnownHostsCommands.Run(o.FindHost, o.RemoveHost, o.HashHosts, o.File, o.Quiet, console);
        var format = ParseFormat(o.Format);

        // Same precedence as ssh-keygen's main(): -l, -p, -e, -i, -y, then key generation.
        if (o.Fingerprint || o.Bubblebabble)
            return FingerprintCommand.Run(o, hash, console);
        if (o.ChangePassphrase)
            return PassphraseCommand.Run(o, format, console);
        if (o.ExportKey)
            return ConvertCommand.Export(o, format, console);
        if (o.ImportKey)
            return ConvertCommand.Import(o, format, console);
        if (o.PrintPublic)
            return PrintPublicCommand.Run(o, console);
        return GenerateCommand.Run(o, format, hash, console);
    }

    private static KeyFileFormat ParseFormat(string? name) => name?.ToUpperInvariant() switch
    {
        null => KeyFileFormat.Default,
        "RFC4716" or "SSH2" => KeyFileFormat.Rfc4716,
        "PKCS8" => KeyFileFormat.Pkcs8,
        "PEM" => KeyFileFormat.Pem,
        _ => throw new KeygenFatalException($"Unsupported conversion format \"{name}\""),
    };

    /// <summary>The usage text, in ssh-keygen's layout, listing what lucid ssh-keygen implements.</summary>
    public const string Usage =
        "usage: ssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f output_keyfile]\n" +
        "                  [-m format] [-N new_passphrase] [-Z cipher]\n" +
        "                  [-t ecdsa | ed25519 | rsa]\n" +
        "       ssh-keygen -p [-a rounds] [-f keyfile] [-m format] [-N new_passphrase]\n" +
        "                   [-P old_passphrase] [-Z cipher]\n" +
        "       ssh-keygen -i [-f input_keyfile] [-m key_format]\n" +
        "       ssh-keygen -e [-f input_keyfile] [-m key_format]\n" +
        "       ssh-keygen -y [-f input_keyfile]\n" +
        "       ssh-keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]\n" +
        "       ssh-keygen -B [-f input_keyfile]\n" +
        "       ssh-keygen -s ca_key -I certificate_identity [-h] [-n principals]\n" +
        "                  [-O option] [-V validity_interval] [-z serial_number] file ...\n" +
        "       ssh-keygen -L [-f input_keyfile]\n" +
        "       ssh-keygen -k -f krl_file [-u] [-s ca_public] [-z version_number]\n" +
        "                  file ...\n" +
        "       ssh-keygen -Q [-l] -f krl_file [file ...]\n" +
        "       ssh-keygen -M screen [-f input_file] [-O option] output_file\n" +
        "       ssh-keygen -Y check-novalidate -n namespace -s signature_file\n" +
        "       ssh-keygen -Y sign -f key_file -n namespace file [-O option] ...\n" +
        "       ssh-keygen -Y verify -f allowed_signers_file -I signer_identity\n" +
        "                  -n namespace -s signature_file [-O option]\n";
}

/// <summary>-m: which file format to write (private keys) or convert (public keys).</summary>
internal enum KeyFileFormat
{
    Default,
    Rfc4716,
    Pkcs8,
    Pem,
}
