using Lucid.Ssh.Auth;
using Lucid.Ssh.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lucid.Ssh.Client;

/// <summary>
/// Turns SshClientOptions' keys and key files into identities. Missing files are skipped and unreadable
/// ones logged and skipped (as ssh does); an encrypted file contributes its public key now and asks for
/// the passphrase (three tries) only once the server has accepted that key.
/// </summary>
internal static partial class IdentityLoader
{
    public static async Task<IReadOnlyList<ClientIdentity>> LoadAsync(SshClientOptions options, CancellationToken cancellationToken)
    {
        var logger = options.Logger ?? NullLogger.Instance;
        var identities = options.Identities.Select(k => new ClientIdentity(k)).ToList();
        identities.AddRange(options.Signers.Select(s => new ClientIdentity(s, s is SshPrivateKey k ? k.Comment : s.PublicKey.KeyType)));
        var files = await LoadFilesAsync(options, logger, cancellationToken).ConfigureAwait(false);
        if (options.Agent is { } agent)
            identities.AddRange(await TakeAgentKeysAsync(agent, files, options.IdentitiesOnly, logger, cancellationToken).ConfigureAwait(false));
        identities.AddRange(files);
        return identities;
    }

    /// <summary>
    /// OpenSSH's pubkey_prepare for the agent: its keys in its order, those that are also identity files first (taken
    /// out of <paramref name="files"/>: the agent signs for them, no passphrase asked), then the others, which
    /// IdentitiesOnly leaves out. An agent that cannot be asked contributes nothing.
    /// </summary>
    private static async Task<List<ClientIdentity>> TakeAgentKeysAsync(Agent.SshAgentClient agent, List<ClientIdentity> files,
        bool identitiesOnly, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<Agent.SshAgentSigner> signers;
        try
        {
            signers = await agent.GetSignersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Agent.SshAgentException e)
        {
            LogAgentFailed(logger, e.Message);
            return [];
        }
        var configured = new List<ClientIdentity>();
        var others = new List<ClientIdentity>();
        foreach (var signer in signers)
        {
            var file = files.Find(f => f.PublicKey.Equals(signer.PublicKey));
            if (file is not null)
            {
                files.Remove(file);
                configured.Add(new ClientIdentity(signer, file.Description));
            }
            else if (!identitiesOnly)
            {
                others.Add(new ClientIdentity(signer, signer.Comment));
            }
        }
        return [.. configured, .. others];
    }

    private static async Task<List<ClientIdentity>> LoadFilesAsync(SshClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var identities = new List<ClientIdentity>();
        foreach (string file in options.IdentityFiles)
        {
            if (!File.Exists(file))
            {
                LogMissing(logger, file);
                continue;
            }
            try
            {
                string text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                if (!OpenSshPrivateKeyFormat.IsOpenSshPrivateKey(text))
                    throw new SshKeyFormatException("invalid format");
                if (!OpenSshPrivateKeyFormat.IsEncrypted(text))
                {
                    var key = OpenSshPrivateKeyFormat.Read(text, null);
                    identities.Add(new ClientIdentity(key.PublicKey, file,
                        _ => ValueTask.FromResult(PermissionsAllow(options, logger, file) ? key : null)));
                }
                else
                {
                    var publicKey = OpenSshPrivateKeyFormat.ReadPublicKey(text);
                    identities.Add(new ClientIdentity(publicKey, file,
                        ct => PermissionsAllow(options, logger, file) ? DecryptAsync(options, logger, file, text, ct) : ValueTask.FromResult<SshPrivateKey?>(null)));
                }
                // ssh loads FILE-cert(.pub) beside each identity and offers it after the plain key.
                foreach (var beside in new[] { file + "-cert.pub", file + "-cert" })
                {
                    if (File.Exists(beside))
                    {
                        if (ReadCertificate(beside, logger) is { } certificate)
                            AddCertificate(identities, identities[^1], certificate, beside, logger);
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is SshKeyFormatException or IOException or UnauthorizedAccessException)
            {
                LogUnreadable(logger, file, ex is SshKeyFormatException format ? format.Problem : ex.Message);
            }
        }
        // CertificateFile: offered last, each with the identity (file, agent or in-memory key) whose key it certifies.
        foreach (string file in options.CertificateFiles)
        {
            if (!File.Exists(file))
            {
                LogMissing(logger, file);
                continue;
            }
            if (ReadCertificate(file, logger) is not { } certificate)
                continue;
            var match = identities.FirstOrDefault(i => i.PublicKey is not SshCertificate && certificate.Key.Equals(i.PublicKey));
            if (match is null)
                LogNoKeyForCertificate(logger, file);
            else
                AddCertificate(identities, match, certificate, file, logger);
        }
        return identities;
    }

    private static SshCertificate? ReadCertificate(string file, ILogger logger)
    {
        try
        {
            var text = File.ReadAllText(file);
            if (SshPublicKey.ParseLine(text.Split('\n')[0].Trim()) is SshCertificate certificate)
                return certificate;
            LogNotUserCertificate(logger, file);
        }
        catch (Exception ex) when (ex is SshKeyFormatException or IOException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, file, ex is SshKeyFormatException format ? format.Problem : ex.Message);
        }
        return null;
    }

    // The certificate (a user certificate of this very key) becomes an identity of its own whose signer is the key's.
    private static void AddCertificate(List<ClientIdentity> identities, ClientIdentity key, SshCertificate certificate, string file, ILogger logger)
    {
        if (certificate.CertificateType != SshCertificateType.User)
        {
            LogNotUserCertificate(logger, file);
            return;
        }
        if (!certificate.Key.Equals(key.PublicKey))
        {
            LogNoKeyForCertificate(logger, file);
            return;
        }
        identities.Insert(identities.IndexOf(key) + 1, ClientIdentity.Deferred(certificate, file, async ct =>
            await key.GetSignerAsync(ct).ConfigureAwait(false) is { } signer ? new SshCertifiedSigner(signer, certificate) : null));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "key {File} is not a user certificate")]
    private static partial void LogNotUserCertificate(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Debug, Message = "no private key for certificate \"{File}\"")]
    private static partial void LogNoKeyForCertificate(ILogger logger, string file);

    /// <summary>
    /// ssh checks a key file's mode when it needs the private key (the server accepted the public one), as
    /// sshkey_perm_ok: a file others can access gets OpenSSH's warning block and "Load key ...: bad permissions",
    /// and is skipped.
    /// </summary>
    private static bool PermissionsAllow(SshClientOptions options, ILogger logger, string file)
    {
        try
        {
            PrivateKeyFile.CheckPermissions(file, options.IsOwnedByCurrentUser);
            return true;
        }
        catch (SshKeyPermissionException e)
        {
            foreach (var line in e.WarningLines)
                LogPermissionWarning(logger, line);
            LogUnreadable(logger, file, e.Message);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, file, e.Message);
            return false;
        }
    }

    private static async ValueTask<SshPrivateKey?> DecryptAsync(SshClientOptions options, ILogger logger, string file, string text,
        CancellationToken cancellationToken)
    {
        if (options.PassphraseCallback is not { } ask)
            return null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            string? passphrase = await ask(file, cancellationToken).ConfigureAwait(false);
            if (passphrase is null)
                return null;
            try
            {
                return OpenSshPrivateKeyFormat.Read(text, passphrase);
            }
            catch (SshWrongPassphraseException)
            {
                LogBadPassphrase(logger, file);
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "pubkey_prepare: ssh_fetch_identitylist: {Problem}")]
    private static partial void LogAgentFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "no such identity: {File}: No such file or directory")]
    private static partial void LogMissing(ILogger logger, string file);

    // ssh's error_r(): shown at every LogLevel but QUIET.
    [LoggerMessage(Level = LogLevel.Error, Message = "Load key \"{File}\": {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string file, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Line}")]
    private static partial void LogPermissionWarning(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bad passphrase for key \"{File}\"")]
    private static partial void LogBadPassphrase(ILogger logger, string file);
}
