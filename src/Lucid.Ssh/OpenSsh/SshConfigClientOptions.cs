using Lucid.Ssh.Client;

namespace Lucid.Ssh.OpenSsh;

/// <summary>Carries an effective ssh_config into <see cref="SshClientOptions"/>: what SshClient acts on today.</summary>
public static class SshConfigClientOptions
{
    /// <summary>Sets user, identity files (expanded), authentication methods and limits, algorithm lists, compression,
    /// rekeying and the connect timeout on <paramref name="options"/> from <paramref name="config"/>.
    /// Host, port, ProxyJump/ProxyCommand, known_hosts and forwarding are the caller's to act on.</summary>
    public static SshClientOptions ApplyTo(this EffectiveSshConfig config, SshClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.User = config.User;
        foreach (var file in config.IdentityFiles)
        {
            var path = config.ExpandPath(file);
            if (!options.IdentityFiles.Contains(path))
                options.IdentityFiles.Add(path);
        }
        foreach (var file in config.CertificateFiles)
        {
            var path = config.ExpandPath(file);
            if (!options.CertificateFiles.Contains(path))
                options.CertificateFiles.Add(path);
        }

        options.IdentitiesOnly = config.IdentitiesOnly;

        var methods = config.PreferredAuthentications?.ToList() ?? [.. options.PreferredAuthentications];
        methods.RemoveAll(m => (m == "publickey" && !config.PubkeyAuthentication)
            || (m == "password" && !config.PasswordAuthentication)
            || (m == "keyboard-interactive" && !config.KbdInteractiveAuthentication)
            || m is "gssapi-with-mic" or "gssapi-keyex" or "hostbased");
        options.PreferredAuthentications = methods;
        options.NumberOfPasswordPrompts = config.NumberOfPasswordPrompts;
        options.PubkeyAcceptedAlgorithms = [.. config.PubkeyAcceptedAlgorithms];

        options.KexAlgorithms = [.. config.KexAlgorithms];
        options.Ciphers = [.. config.Ciphers];
        options.Macs = [.. config.Macs];
        // Without HostKeyAlgorithms, OpenSSH prefers the key types known_hosts already holds for the host: the
        // caller (who reads known_hosts) decides; with it, the configured order is used as is.
        if (config.HostKeyAlgorithmsConfigured)
            options.HostKeyAlgorithms = [.. config.HostKeyAlgorithms];
        options.Compression = config.Compression;
        options.RekeyLimitBytes = config.RekeyLimit > 0 ? config.RekeyLimit : null;
        options.RekeyLimitTime = config.RekeyInterval > TimeSpan.Zero ? config.RekeyInterval : null;
        options.ConnectTimeout = config.ConnectTimeout;
        if (config.BatchMode)
        {
            // BatchMode: never ask the user anything.
            options.PasswordCallback = null;
            options.KeyboardInteractiveCallback = null;
            options.PassphraseCallback = null;
            options.PasswordChangeCallback = null;
        }
        return options;
    }
}
