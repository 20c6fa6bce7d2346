using System.Text;
using Lucid.Cli.Platform;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// Decides whether to trust the server's host key, as OpenSSH's check_host_key does: known_hosts first,
/// then StrictHostKeyChecking (yes, ask on /dev/tty, accept-new, no), appending accepted keys and refusing
/// changed ones with the REMOTE HOST IDENTIFICATION HAS CHANGED warning.
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

    /// <summary>True to go on; false means "Host key verification failed." (the caller prints it).</summary>
    public bool Verify(string host, int port, string address, string keyType, ReadOnlySpan<byte> blob)
    {
        var files = KnownHostsFiles;
        var known = KnownHosts.Load([.. files, "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]);
        var name = KnownHosts.HostName(host, port);
        var label = KeyFingerprint.TypeLabel(keyType);
        var fingerprint = KeyFingerprint.Format(blob);
        var result = known.Check(host, port, keyType, blob);
        var strict = options.EffectiveStrictHostKeyChecking;

        switch (result.Status)
        {
            case KnownHostsStatus.Known:
                log.Debug1($"Host '{name}' is known and matches the {label} host key.");
                log.Debug1($"Found key in {result.File}:{result.Line}");
                return true;

            case KnownHostsStatus.Revoked:
                log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
                log.Error("@       WARNING: REVOKED HOST KEY DETECTED!               @");
                log.Error("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
                log.Error($"The {label} host key for {host} is marked as revoked.");
                log.Error("This could mean that a stolen key is being used to");
                log.Error("impersonate this host.");
                return false;

            case KnownHostsStatus.Changed:
                WarnChanged(label, fingerprint, files[0], result);
                if (strict is StrictHostKeyChecking.No)
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
            case StrictHostKeyChecking.Yes:
                log.Error($"No {label} host key is known for {name} and you have requested strict checking.");
                return false;
            case StrictHostKeyChecking.Ask:
                if (options.EffectiveBatchMode || !Confirm(name, address == host ? name : KnownHosts.HostName(address, port), label, fingerprint))
                    return false;
                break;
        }

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
