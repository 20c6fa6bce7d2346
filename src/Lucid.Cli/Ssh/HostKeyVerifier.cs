using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Decides whether to trust the server's host key, as OpenSSH's check_host_key does: UserKnownHostsFile and
/// GlobalKnownHostsFile first (host certificates through @cert-authority lines, falling back to their plain key),
/// then StrictHostKeyChecking (yes, ask on /dev/tty, accept-new, no), appending accepted keys to the first user file
/// (hashed with HashKnownHosts) and refusing changed ones with the REMOTE HOST IDENTIFICATION HAS CHANGED warning.
/// With CheckHostIP the server's address is looked up and recorded too (plain keys only, as in ssh).
/// </summary>
internal sealed class HostKeyVerifier(EffectiveSshConfig config, SshLog log, bool checkHostIp)
{
    /// <summary>CheckHostIP's view of the server's address: its known_hosts name and what the address's lines say of the key.</summary>
    private sealed record AddressCheck(string Address, string Name, KnownHostsResult Result);

    /// <summary>Set when a changed key was let through (StrictHostKeyChecking=no): no passwords must be sent then.</summary>
    public bool PasswordsDisabled { get; private set; }

    /// <summary>The name known_hosts is searched and written under: HostKeyAlias (without a port, as ssh does) or the host.</summary>
    private (string Host, int Port) KnownHostsName(string host, int port)
    {
        if (config.HostKeyAlias is not { } alias)
            return (host, port);
        log.Debug1($"using hostkeyalias: {alias}");
        return (alias, 22);
    }

    private KnownHosts LoadAll() =>
        KnownHosts.Load([.. config.UserKnownHostsFiles, .. config.GlobalKnownHostsFiles.Select(SshPaths.Expand)]);

    /// <summary>
    /// The host key algorithms to offer: as configured, except that when HostKeyAlgorithms is not set or only edited
    /// with + or -, the algorithms known_hosts vouches for come first (OpenSSH's order_hostkeyalgs): a host known only
    /// through @cert-authority is asked for its certificate, a host recorded with only its RSA key for that key.
    /// </summary>
    public IReadOnlyList<string> OrderHostKeyAlgorithms(string host, int port)
    {
        if (!config.HostKeyAlgorithmsFollowKnownHosts)
            return config.HostKeyAlgorithms;
        (host, port) = KnownHostsName(host, port);
        return LoadAll().PreferKnownAlgorithms(host, port, config.HostKeyAlgorithms, log.Debug3);
    }

    /// <summary>True to go on; false means "Host key verification failed." (the caller prints it).</summary>
    public bool Verify(string host, int port, string address, string keyType, ReadOnlySpan<byte> blob)
    {
        (host, port) = KnownHostsName(host, port);
        return Check(LoadAll(), host, port, address, keyType, blob.ToArray(), quiet: false, withoutPort: false);
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
        var strict = config.StrictHostKeyChecking;
        while (true)
        {
            var label = KeyFingerprint.TypeLabel(keyType);
            var result = certificate is not null
                ? known.CheckCertificate(host, lookupPort, certificate)
                : known.Check(host, lookupPort, keyType, blob);
            var ip = certificate is null && !quiet ? CheckAddress(known, host, lookupPort, address, keyType, blob) : null;
            var trusted = result.Status switch
            {
                KnownHostsStatus.Known => Known(result, name, host, lookupPort, label, keyType, blob, certificate, ip, strict),
                KnownHostsStatus.Revoked => Revoked(name, label, strict),
                KnownHostsStatus.Changed => !quiet && Changed(result, name, label, KeyFingerprint.Format(blob), strict),
                _ => Unknown(known, host, port, address, name, keyType, blob, label, certificate is not null, quiet, withoutPort, ip, strict),
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

    /// <summary>CheckHostIP: null when the address is not checked — as ssh: off, loopback, behind a proxy, or when the "name" is the address itself.</summary>
    private AddressCheck? CheckAddress(KnownHosts known, string host, int port, string address, string keyType, byte[] blob)
    {
        if (!config.CheckHostIp || !checkHostIp || address == host
            || !System.Net.IPAddress.TryParse(address, out var ipAddress) || System.Net.IPAddress.IsLoopback(ipAddress))
            return null;
        return new AddressCheck(address, KnownHosts.HostName(address, port), known.Check(address, port, keyType, blob));
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

    private bool Known(KnownHostsResult result, string name, string host, int port, string label, string keyType, byte[] blob,
        SshCertificate? certificate, AddressCheck? ip, SshStrictHostKeyChecking strict)
    {
        var what = certificate is null ? "key" : "certificate";
        log.Debug1($"Host '{name}' is known and matches the {label} host {what}.");
        log.Debug1($"Found {(certificate is null ? "key" : "CA key")} in {result.File}:{result.Line}");
        if (certificate is not null)
        {
            // The principals name the host as typed (after HostName), never "[host]:port".
            if (SshCertificateValidation.CheckHost(certificate, host, DateTimeOffset.UtcNow, config.CaSignatureAlgorithms) is not { } reason)
                return true;
            log.Error(reason);
            return false;
        }
        var files = config.UserKnownHostsFiles;
        if (ip is { Result.Status: KnownHostsStatus.Unknown } && files.Count > 0)
        {
            if (TryAppend(files[0], [ip.Address], port, keyType, blob))
                log.Info($"Warning: Permanently added the {label} host key for IP address '{ip.Name}' to the list of known hosts.");
            else
                log.Info($"Failed to add the {label} host key for IP address '{ip.Name}' to the list of known hosts ({files[0]}).");
        }
        return CheckIpDiffers(label, name, result, ip, strict);
    }

    private bool Revoked(string name, string label, SshStrictHostKeyChecking strict)
    {
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error("@       WARNING: REVOKED HOST KEY DETECTED!               @");
        log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
        log.Error($"The {label} host key for {name} is marked as revoked.");
        log.Error("This could mean that a stolen key is being used to");
        log.Error("impersonate this host.");
        if (strict is not SshStrictHostKeyChecking.No)
        {
            log.Error($"{label} host key for {name} was revoked and you have requested strict checking.");
            return false;
        }
        ContinueUnsafe();
        return true;
    }

    private bool Changed(KnownHostsResult result, string name, string label, string fingerprint, SshStrictHostKeyChecking strict)
    {
        var files = config.UserKnownHostsFiles;
        WarnChanged(label, fingerprint, files.Count > 0 ? files[0] : "", result);
        if (strict is SshStrictHostKeyChecking.No)
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
        string label, bool wantCertificate, bool quiet, bool withoutPort, AddressCheck? ip, SshStrictHostKeyChecking strict)
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
            case SshStrictHostKeyChecking.Yes:
                log.Error($"No {label} host key is known for {name} and you have requested strict checking.");
                return false;
            case SshStrictHostKeyChecking.Ask:
                if (config.BatchMode || !Confirm(name, address == host ? name : KnownHosts.HostName(address, port), label, KeyFingerprint.Format(blob)))
                    return false;
                break;
        }

        var unknown = new KnownHostsResult(KnownHostsStatus.Unknown);
        var files = config.UserKnownHostsFiles;
        if (files.Count == 0)
            return CheckIpDiffers(label, name, unknown, ip, strict);
        // With CheckHostIP ssh records the address with the name: "name,address" on one line, or two hashed lines.
        var withIp = ip is { Result.Status: KnownHostsStatus.Unknown };
        var names = withIp ? new[] { host, address } : [host];
        var shown = withIp ? $"{name},{ip!.Name}" : name;
        if (TryAppend(files[0], names, port, keyType, blob))
            log.Info($"Warning: Permanently added '{shown}' ({label}) to the list of known hosts.");
        else
            log.Info($"Failed to add the host to the list of known hosts ({files[0]}).");
        return CheckIpDiffers(label, name, unknown, ip, strict);
    }

    /// <summary>Appends the key for <paramref name="names"/>: one "a,b" line, or (HashKnownHosts) one hashed line each.</summary>
    private bool TryAppend(string file, string[] names, int port, string keyType, ReadOnlySpan<byte> blob)
    {
        try
        {
            if (config.HashKnownHosts)
            {
                foreach (var n in names)
                    KnownHosts.Append(file, n, port, keyType, blob, hash: true);
            }
            else
            {
                var line = KnownHosts.FormatLine(names[0], port, keyType, blob);
                if (names.Length > 1)
                    line = string.Join(',', names.Select(n => KnownHosts.HostName(n, port))) + line[KnownHosts.HostName(names[0], port).Length..];
                KnownHosts.AppendLine(file, line);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>CheckHostIP: the address's recorded key differs from the one the name has (the name's own key checked out
    /// or was just accepted): ssh warns, and refuses unless StrictHostKeyChecking is no (ask: it asks).</summary>
    private bool CheckIpDiffers(string label, string name, KnownHostsResult result, AddressCheck? ip, SshStrictHostKeyChecking strict)
    {
        if (ip is not { Result.Status: KnownHostsStatus.Changed })
            return true;
        var message = $"Warning: the {label} host key for '{name}' differs from the key for the IP address '{ip.Name}'\r\n"
            + $"Offending key for IP in {ip.Result.File}:{ip.Result.Line}";
        if (result.Status == KnownHostsStatus.Known)
            message += $"\r\nMatching host key in {result.File}:{result.Line}";
        switch (strict)
        {
            case SshStrictHostKeyChecking.Ask:
                return !config.BatchMode && Ask(message + "\r\nAre you sure you want to continue connecting (yes/no)? ");
            case SshStrictHostKeyChecking.No:
                log.Info(message);
                return true;
            default:
                log.Info(message);
                log.Error("Exiting, you have requested strict checking.");
                return false;
        }
    }

    private static bool Ask(string prompt)
    {
        while (true)
        {
            var answer = TtyPrompt.Ask(prompt, echo: true)?.Trim();
            if (answer is null || answer.Equals("no", StringComparison.OrdinalIgnoreCase))
                return false;
            if (answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
                return true;
            prompt = "Please type 'yes' or 'no': ";
        }
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
        log.Error($"  remove with:\r\n  ssh-keygen -f \"{result.File}\" -R \"{KnownHosts.HostName(config.HostKeyAlias ?? config.HostName, config.HostKeyAlias is null ? config.Port : 22)}\"");
    }
}
