using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Decides whether to trust the server's host key, as OpenSSH's check_host_key does: known_hosts first (host
/// certificates through @cert-authority lines, falling back to their plain key), then StrictHostKeyChecking (yes,
/// ask on /dev/tty, accept-new, no), appending accepted keys and refusing changed ones with the REMOTE HOST
/// IDENTIFICATION HAS CHANGED warning.
/// </summary>
internal sealed class HostKeyVerifier(SshOptions options, SshLog log)
{
    /// <summary>Set when a changed key was let through (StrictHostKeyChecking=no): no passwords must be sent then.</summary>
    public bool PasswordsDisabled { get; private set; }

    public IReadOnlyList<string> KnownHostsFiles => options.UserKnownHostsFiles is { } files ? [.. files.Select(SshPaths.Expand)] : DefaultFiles();

    private static string[] DefaultFiles()
    {
        var home = SshPaths.Home;
        return [Path.Combine(home, ".ssh", "known_hosts"), Path.Combine(home, ".ssh", "known_hosts2")];
    }

    private IEnumerable<string> AllFiles => [.. KnownHostsFiles, "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];

    /// <summary>
    /// The host key algorithms to offer: as configured, except that when HostKeyAlgorithms is not set or only edited
    /// with + or -, the algorithms known_hosts vouches for come first (OpenSSH's order_hostkeyalgs): a host known only
    /// through @cert-authority is asked for its certificate, a host with a recorded ECDSA key for that key.
    /// </summary>
    public IReadOnlyList<string> OrderHostKeyAlgorithms(string host, int port, IReadOnlyList<string> algorithms)
    {
        if (options.HostKeyAlgorithms is { Length: > 0 } configured && configured[0] is not ('+' or '-'))
            return algorithms;
        return KnownHosts.Load(AllFiles).PreferKnownAlgorithms(host, port, algorithms);
    }

    /// <summary>True to go on; false means "Host key verification failed." (the caller prints it).</summary>
    public bool Verify(string host, int port, string address, string keyType, ReadOnlySpan<byte> blob)
    {
        var known = KnownHosts.Load(AllFiles);
        return Check(known, host, port, address, keyType, blob.ToArray(), quiet: false, withoutPort: false);
    }

    /// <summary>
    /// OpenSSH's check_host_key. A certificate is checked against @cert-authority lines and then for validity; if that
    /// fails (for any reason but revocation) the certified key is checked again as a plain key. A host on another port
    /// than 22 that is unknown as "[host]:port" is looked up once more as plain "host" (quietly: that lookup only
    /// accepts, it never prompts, records or warns of a changed key).
    /// </summary>
    private bool Check(KnownHosts known, string host, int port, string address, string keyType, byte[] blob, bool quiet, bool withoutPort)
    {
        var lookupPort = withoutPort ? 22 : port;
        var name = KnownHosts.HostName(host, lookupPort);
        var certificate = CertificateOf(keyType, blob);
        var strict = options.EffectiveStrictHostKeyChecking;
        while (true)
        {
            var label = KeyFingerprint.TypeLabel(keyType);
            var result = certificate is not null
                ? known.CheckCertificate(host, lookupPort, certificate)
                : known.Check(host, lookupPort, keyType, blob);
            var trusted = result.Status switch
            {
                KnownHostsStatus.Known => Known(result, name, host, label, certificate),
                KnownHostsStatus.Revoked => Revoked(name, label, strict),
                KnownHostsStatus.Changed => !quiet && Changed(result, name, label, KeyFingerprint.Format(blob), strict),
                _ => Unknown(known, host, port, address, name, keyType, blob, label, certificate is not null, quiet, withoutPort, strict),
            };
            if (trusted)
                return true;
            if (certificate is null || result.Status == KnownHostsStatus.Revoked)
                return false;
            log.Debug1("No matching CA found. Retry with plain key");
            keyType = certificate.Key.KeyType;
            blob = certificate.Key.Blob.ToArray();
            certificate = null;
        }
    }

    private static SshCertificate? CertificateOf(string keyType, byte[] blob)
    {
        if (SshCertificate.PlainTypeOf(keyType) is null)
            return null;
        try
        {
            return SshPublicKey.FromBlob(blob) as SshCertificate;
        }
        catch (SshKeyFormatException)
        {
            return null; // the transport has parsed it already; a certificate it could not read is simply not trusted
        }
    }

    private bool Known(KnownHostsResult result, string name, string host, string label, SshCertificate? certificate)
    {
        var what = certificate is null ? "key" : "certificate";
        log.Debug1($"Host '{name}' is known and matches the {label} host {what}.");
        log.Debug1($"Found {(certificate is null ? "key" : "CA key")} in {result.File}:{result.Line}");
        if (certificate is null)
            return true;
        // The principals name the host as typed (after HostName), never "[host]:port".
        if (SshCertificateValidation.CheckHost(certificate, host, DateTimeOffset.UtcNow) is { } reason)
        {
            log.Error(reason);
            return false;
        }
        return true;
    }

    private bool Revoked(string name, string label, StrictHostKeyChecking strict)
    {
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error("@       WARNING: REVOKED HOST KEY DETECTED!               @");
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error($"The {label} host key for {name} is marked as revoked.");
        log.Error("This could mean that a stolen key is being used to");
        log.Error("impersonate this host.");
        if (strict is not StrictHostKeyChecking.No)
        {
            log.Error($"{label} host key for {name} was revoked and you have requested strict checking.");
            return false;
        }
        ContinueUnsafe();
        return true;
    }

    private bool Changed(KnownHostsResult result, string name, string label, string fingerprint, StrictHostKeyChecking strict)
    {
        WarnChanged(label, fingerprint, KnownHostsFiles[0], result);
        if (strict is StrictHostKeyChecking.No)
        {
            ContinueUnsafe();
            return true;
        }
        log.Error($"Host key for {name} has changed and you have requested strict checking.");
        return false;
    }

    // OpenSSH goes on with a host it cannot trust only when told not to check, and then never sends it a password.
    private void ContinueUnsafe()
    {
        PasswordsDisabled = true;
        log.Error("Password authentication is disabled to avoid man-in-the-middle attacks.");
        log.Error("Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.");
    }

    private bool Unknown(KnownHosts known, string host, int port, string address, string name, string keyType, byte[] blob,
        string label, bool wantCertificate, bool quiet, bool withoutPort, StrictHostKeyChecking strict)
    {
        if (!withoutPort && port != 22)
        {
            log.Debug1("checking without port identifier");
            if (Check(known, host, port, address, keyType, blob, quiet: true, withoutPort: true))
            {
                log.Debug1("found matching key w/out port");
                return true;
            }
        }
        // A certificate nobody vouches for is never recorded: it is retried as its plain key.
        if (quiet || wantCertificate)
            return false;
        switch (strict)
        {
            case StrictHostKeyChecking.Yes:
                log.Error($"No {label} host key is known for {name} and you have requested strict checking.");
                return false;
            case StrictHostKeyChecking.Ask:
                if (options.EffectiveBatchMode || !Confirm(name, address == host ? name : KnownHosts.HostName(address, port), label, KeyFingerprint.Format(blob)))
                    return false;
                break;
        }

        var files = KnownHostsFiles;
        try
        {
            KnownHosts.Append(files[0], host, port, keyType, blob);
            log.Info($"Warning: Permanently added '{name}' ({label}) to the list of known hosts.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Info($"Failed to add the host to the list of known hosts ({files[0]}).");
        }
        return true;
    }

    private static bool Confirm(string name, string addressName, string label, string fingerprint)
    {
        var prompt = new StringBuilder()
            .Append($"The authenticity of host '{name} ({addressName})' can't be established.\r\n")
            .Append($"{label} key fingerprint is {fingerprint}.\r\n")
            .Append("This key is not known by any other names.\r\n")
            .Append("Are you sure you want to continue connecting (yes/no/[fingerprint])? ")
            .ToString();
        while (true)
        {
            var answer = TtyPrompt.Ask(prompt, echo: true);
            if (answer is null)
                return false;
            answer = answer.Trim();
            if (answer.Equals("yes", StringComparison.OrdinalIgnoreCase) || answer == fingerprint)
                return true;
            if (answer.Equals("no", StringComparison.OrdinalIgnoreCase))
                return false;
            prompt = "Please type 'yes', 'no' or the fingerprint: ";
        }
    }

    private void WarnChanged(string label, string fingerprint, string firstFile, KnownHostsResult result)
    {
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @");
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!");
        log.Error("Someone could be eavesdropping on you right now (man-in-the-middle attack)!");
        log.Error("It is also possible that a host key has just been changed.");
        log.Error($"The fingerprint for the {label} key sent by the remote host is\n{fingerprint}.");
        log.Error("Please contact your system administrator.");
        log.Error($"Add correct host key in {firstFile} to get rid of this message.");
        log.Error($"Offending {label} key in {result.File}:{result.Line}");
        log.Error($"  remove with:\r\n  ssh-keygen -f \"{result.File}\" -R \"{KnownHosts.HostName(options.EffectiveHostName, options.EffectivePort)}\"");
    }
}
