using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Decides whether to trust the server's host key, as OpenSSH's check_host_key does: UserKnownHostsFile and
/// GlobalKnownHostsFile first, then StrictHostKeyChecking (yes, ask on /dev/tty, accept-new, no), appending
/// accepted keys to the first user file (hashed with HashKnownHosts) and refusing changed ones with the REMOTE
/// HOST IDENTIFICATION HAS CHANGED warning. With CheckHostIP the server's address is looked up and recorded too.
/// </summary>
internal sealed class HostKeyVerifier(EffectiveSshConfig config, SshLog log, bool checkHostIp)
{
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
    /// The host key algorithms to offer, as ssh's order_hostkeyalgs does when HostKeyAlgorithms is not set outright:
    /// if known_hosts has a key of the first algorithm's type the list stays as it is; otherwise the algorithms whose
    /// key type known_hosts holds for the host go first (all certificate algorithms, with an @cert-authority line), so
    /// a host recorded with, say, only its RSA key is checked against that key instead of looking unknown.
    /// </summary>
    public IReadOnlyList<string> OrderHostKeyAlgorithms(string host, int port)
    {
        var algorithms = config.HostKeyAlgorithms;
        if (!config.HostKeyAlgorithmsFollowKnownHosts || algorithms.Count == 0)
            return algorithms;
        (host, port) = KnownHostsName(host, port);
        var entries = LoadAll().Lookup(host, port).ToList();
        var types = entries.Where(e => e.Marker == KnownHostsMarker.None).Select(e => e.KeyType).ToHashSet(StringComparer.Ordinal);
        var authority = entries.Any(e => e.Marker == KnownHostsMarker.CertAuthority);
        if (types.Contains(PlainKeyType(algorithms[0])))
        {
            log.Debug3($"order_hostkeyalgs: have matching best-preference key type {algorithms[0]}, using HostkeyAlgorithms verbatim");
            return algorithms;
        }
        var first = algorithms.Where(a => (authority && a.Contains("-cert-", StringComparison.Ordinal)) || types.Contains(PlainKeyType(a))).ToList();
        if (first.Count == 0)
        {
            log.Debug3("order_hostkeyalgs: no algorithms matched; accept original");
            return algorithms;
        }
        log.Debug3($"order_hostkeyalgs: prefer hostkeyalgs: {string.Join(',', first)}");
        return [.. first, .. algorithms.Except(first)];
    }

    /// <summary>The key type an algorithm's keys have: rsa-sha2-512 → ssh-rsa, a certificate type → its plain type.</summary>
    private static string PlainKeyType(string algorithm)
    {
        var plain = algorithm.Replace("-cert-v01@openssh.com", "", StringComparison.Ordinal);
        return plain.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? "ssh-rsa" : plain;
    }

    /// <summary>True to go on; false means "Host key verification failed." (the caller prints it).</summary>
    public bool Verify(string host, int port, string address, string keyType, ReadOnlySpan<byte> blob)
    {
        (host, port) = KnownHostsName(host, port);
        var files = config.UserKnownHostsFiles;
        var known = LoadAll();
        var name = KnownHosts.HostName(host, port);
        var label = KeyFingerprint.TypeLabel(keyType);
        var fingerprint = KeyFingerprint.Format(blob);
        var result = known.Check(host, port, keyType, blob);
        var strict = config.StrictHostKeyChecking;

        // As ssh: the address is not checked for loopback, behind a proxy, or when the "name" is the address itself.
        var checkIp = config.CheckHostIp && checkHostIp && address != host
            && System.Net.IPAddress.TryParse(address, out var ipAddress) && !System.Net.IPAddress.IsLoopback(ipAddress);
        var ipName = KnownHosts.HostName(address, port);
        var ipResult = checkIp ? known.Check(address, port, keyType, blob) : result;

        switch (result.Status)
        {
            case KnownHostsStatus.Known:
                log.Debug1($"Host '{name}' is known and matches the {label} host key.");
                log.Debug1($"Found key in {result.File}:{result.Line}");
                if (checkIp && ipResult.Status == KnownHostsStatus.Unknown && files.Count > 0)
                {
                    if (TryAppend(files[0], [address], port, keyType, blob))
                        log.Info($"Warning: Permanently added the {label} host key for IP address '{ipName}' to the list of known hosts.");
                    else
                        log.Info($"Failed to add the {label} host key for IP address '{ipName}' to the list of known hosts ({files[0]}).");
                }
                return CheckIpDiffers(label, name, ipName, result, ipResult, strict);

            case KnownHostsStatus.Revoked:
                log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
                log.Error("@       WARNING: REVOKED HOST KEY DETECTED!               @");
                log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
                log.Error($"The {label} host key for {host} is marked as revoked.");
                log.Error("This could mean that a stolen key is being used to");
                log.Error("impersonate this host.");
                return false;

            case KnownHostsStatus.Changed:
                WarnChanged(label, fingerprint, files.Count > 0 ? files[0] : "", result);
                if (strict is SshStrictHostKeyChecking.No)
                {
                    // OpenSSH goes on but never sends a password to a host that may be an impostor.
                    PasswordsDisabled = true;
                    log.Error("Password authentication is disabled to avoid man-in-the-middle attacks.");
                    log.Error("Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.");
                    return true;
                }
                log.Error($"Host key for {name} has changed and you have requested strict checking.");
                return false;
        }

        // Unknown host.
        switch (strict)
        {
            case SshStrictHostKeyChecking.Yes:
                log.Error($"No {label} host key is known for {name} and you have requested strict checking.");
                return false;
            case SshStrictHostKeyChecking.Ask:
                if (config.BatchMode || !Confirm(name, address == host ? name : ipName, label, fingerprint))
                    return false;
                break;
        }

        if (files.Count == 0)
            return CheckIpDiffers(label, name, ipName, result, ipResult, strict);
        // With CheckHostIP ssh records the address with the name: "name,address" on one line, or two hashed lines.
        var withIp = checkIp && ipResult.Status == KnownHostsStatus.Unknown;
        var names = withIp ? new[] { host, address } : [host];
        var shown = withIp ? $"{name},{ipName}" : name;
        if (TryAppend(files[0], names, port, keyType, blob))
            log.Info($"Warning: Permanently added '{shown}' ({label}) to the list of known hosts.");
        else
            log.Info($"Failed to add the host to the list of known hosts ({files[0]}).");
        return CheckIpDiffers(label, name, ipName, result, ipResult, strict);
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
    private bool CheckIpDiffers(string label, string name, string ipName, KnownHostsResult result, KnownHostsResult ipResult,
        SshStrictHostKeyChecking strict)
    {
        if (ReferenceEquals(result, ipResult) || ipResult.Status != KnownHostsStatus.Changed)
            return true;
        var message = $"Warning: the {label} host key for '{name}' differs from the key for the IP address '{ipName}'\r\n"
            + $"Offending key for IP in {ipResult.File}:{ipResult.Line}";
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
