using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>ssh-keygen -Y sign | verify | check-novalidate: file signatures in OpenSSH's SSHSIG format.</summary>
internal static class SignCommand
{
    public static int Run(KeygenOptions o, FingerprintHash hash, KeygenConsole console)
    {
        string op = o.SignOperation!;
        // OpenSSH matches the operation by prefix ("signature" means sign).
        if (op.StartsWith("sign", StringComparison.Ordinal))
            return Sign(o, console);
        if (op.StartsWith("check-novalidate", StringComparison.Ordinal))
        {
            Require(o.Namespace is { Length: > 0 }, "check-novalidate: missing namespace");
            Require(o.SignatureFile is not null, "check-novalidate: missing signature file");
            return Verify(o, hash, principal: null, console);
        }
        if (op.StartsWith("verify", StringComparison.Ordinal))
        {
            Require(o.Namespace is { Length: > 0 }, "verify: missing namespace");
            Require(o.SignatureFile is not null, "verify: missing signature file");
            Require(o.File is not null, "sign: missing allowed keys file");
            Require(o.Principal is not null, "verify: missing principal identity");
            return Verify(o, hash, o.Principal, console);
        }
        if (op.StartsWith("find-principals", StringComparison.Ordinal) || op.StartsWith("match-principals", StringComparison.Ordinal))
            throw new KeygenFatalException($"ssh-keygen: -Y {op} is not supported by lucid ssh-keygen yet", exitCode: 1);
        console.Log($"Unsupported operation for -Y: \"{op}\"");
        console.ErrorRaw(KeygenTool.Usage);
        return 1;
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
            throw new KeygenFatalException($"Too few arguments for {what}", exitCode: 1);
    }

    private static int Sign(KeygenOptions o, KeygenConsole console)
    {
        Require(o.Namespace is { Length: > 0 }, "sign: missing namespace");
        Require(o.File is not null, "sign: missing key");
        if (!ParseOptions(o, console, out string hashAlgorithm))
            return 255;
        var files = o.Operands.Count == 0 ? ["-"] : o.Operands;
        if (files.Contains("-") && files.Count > 1)
            throw new KeygenFatalException("Cannot sign mix of paths and standard input");

        string keyPath = o.File!;
        var (publicKey, _) = KeyFileAccess.LoadPublic(keyPath);
        if (publicKey is null)
        {
            console.Log($"Couldn't load public key {keyPath}: No such file or directory");
            return 255;
        }
        using var key = LoadSignKey(keyPath, publicKey, o.Passphrase, console);
        if (key is null)
            return 255;

        foreach (var file in files)
        {
            bool stdin = file == "-";
            if (!o.Quiet)
                console.ErrorRaw(stdin ? "Signing data on standard input\n" : $"Signing file {file}\n");
            byte[] messageHash;
            try
            {
                using var stream = stdin ? KeygenConsole.RawInput() : File.OpenRead(file);
                messageHash = SshSig.Hash(hashAlgorithm, stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Log($"Cannot open {file} for signing: {KeyFileAccess.Describe(e)}");
                return 255;
            }
            string armored = SshSig.Armor(SshSig.Sign(key, o.Namespace!, hashAlgorithm, messageHash));
            if (stdin)
            {
                console.Print(armored);
                continue;
            }
            string signaturePath = file + ".sig";
            if (File.Exists(signaturePath))
            {
                console.PrintLine($"{signaturePath} already exists.");
                string? answer = console.Ask("Overwrite (y/n)? ");
                if (answer is null || answer.Length == 0 || (answer[0] != 'y' && answer[0] != 'Y'))
                    continue;
            }
            File.WriteAllText(signaturePath, armored);
            if (!o.Quiet)
                console.ErrorRaw($"Write signature to {signaturePath}\n");
        }
        return 0;
    }

    // load_sign_key(): a .pub name points at the private key beside it; an encrypted key asks for its passphrase.
    private static SshPrivateKey? LoadSignKey(string keyPath, SshPublicKey publicKey, string? passphrase, KeygenConsole console)
    {
        string privatePath = keyPath.EndsWith(".pub", StringComparison.Ordinal) ? keyPath[..^4] : keyPath;
        if (privatePath != keyPath && !File.Exists(privatePath))
            throw new KeygenFatalException($"No private key found for public key \"{keyPath}\"");
        LoadedKey loaded;
        try
        {
            loaded = KeyFileAccess.LoadPrivate(privatePath, "", console);
        }
        catch (SshWrongPassphraseException)
        {
            loaded = PrintPublicCommand.LoadIdentity(privatePath, passphrase, console);
        }
        catch (Exception e) when (KeyFileAccess.IsLoadFailure(e))
        {
            console.Debug(1, $"load_sign_key: load private key \"{privatePath}\": {KeyFileAccess.Describe(e)}");
            throw new KeygenFatalException($"No private key found for \"{privatePath}\"");
        }
        if (!loaded.Key.PublicKey.Equals(publicKey))
        {
            console.Log($"Public key {keyPath} doesn't match private {privatePath}");
            loaded.Key.Dispose();
            return null;
        }
        return loaded.Key;
    }

    private static int Verify(KeygenOptions o, FingerprintHash hash, string? principal, KeygenConsole console)
    {
        SshPublicKey? key = null;
        bool ok = false;
        try
        {
            if (!ParseOptions(o, console, out _))
                return 255;
            string text;
            try
            {
                text = File.ReadAllText(o.SignatureFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SshSig.SigException($"Couldn't read signature file: {KeyFileAccess.Describe(e)}");
            }
            byte[] blob = SshSig.Dearmor(text);
            string hashAlgorithm = SshSig.PeekHashAlgorithm(blob);
            if (!SshSig.HashAlgorithms.Contains(hashAlgorithm))
                throw new SshSig.SigException($"sshsig_check_hashalg: unsupported hash algorithm \"{hashAlgorithm}\"");
            byte[] messageHash;
            using (var stdin = KeygenConsole.RawInput())
                messageHash = SshSig.Hash(hashAlgorithm, stdin);
            key = SshSig.Verify(blob, o.Namespace!, messageHash);
            console.Debug(1, $"Valid (unverified) signature from key {KeyFingerprint.Format(key, hash)}");
            ok = principal is null || AllowedSigners.IsAllowed(o.File!, key, principal, o.Namespace!, console);
        }
        catch (SshSig.SigException e)
        {
            console.Log(e.Message);
        }
        if (!o.Quiet)
        {
            if (ok)
            {
                string label = KeyFingerprint.TypeLabel(key!.KeyType);
                string fp = KeyFingerprint.Format(key, hash);
                console.PrintLine(principal is null
                    ? $"Good \"{o.Namespace}\" signature with {label} key {fp}"
                    : $"Good \"{o.Namespace}\" signature for {principal} with {label} key {fp}");
            }
            else
            {
                console.PrintLine("Could not verify signature.");
            }
        }
        return ok ? 0 : 255;
    }

    // sig_process_opts(): -O hashalg=sha256|sha512 (signing); other -O options are refused.
    private static bool ParseOptions(KeygenOptions o, KeygenConsole console, out string hashAlgorithm)
    {
        hashAlgorithm = "sha512";
        foreach (var option in o.SignOptions)
        {
            if (option.StartsWith("hashalg=", StringComparison.OrdinalIgnoreCase))
            {
                hashAlgorithm = option["hashalg=".Length..];
                if (!SshSig.HashAlgorithms.Contains(hashAlgorithm))
                {
                    console.Log($"Unsupported hash algorithm \"{hashAlgorithm}\"");
                    return false;
                }
            }
            else
            {
                console.Log($"Invalid option \"{option}\"");
                return false;
            }
        }
        return true;
    }
}
