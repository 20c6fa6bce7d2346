namespace Lucid.Ssh.OpenSsh;

/// <summary>Fills every option nothing set with OpenSSH 9.2's default (Debian's build, as `ssh -G` shows it).</summary>
internal static class SshConfigDefaults
{
    public static void FillForCanonicalization(SshConfigState o)
    {
        if (o.CanonicalizeMaxDots == -1) o.CanonicalizeMaxDots = 1;
        if (o.CanonicalizeFallbackLocal == -1) o.CanonicalizeFallbackLocal = 1;
        if (o.CanonicalizeHostname == -1) o.CanonicalizeHostname = SshConfigKeywords.CanonicalizeNo;
    }

    /// <summary>Returns an error line when an algorithm list came out empty, otherwise null.</summary>
    public static string? Fill(SshConfigState o, SshConfigAlgorithms algorithms, bool stdioForwarding)
    {
        if (o.ForwardAgent == -1) o.ForwardAgent = 0;
        if (o.ForwardX11 == -1) o.ForwardX11 = 0;
        // Debian trusts X11 forwarding by default (upstream: no).
        if (o.ForwardX11Trusted == -1) o.ForwardX11Trusted = 1;
        if (o.ForwardX11Timeout == -1) o.ForwardX11Timeout = 1200;
        if (o.ExitOnForwardFailure == -1) o.ExitOnForwardFailure = stdioForwarding ? 1 : 0;
        if (o.ClearForwardings == -1) o.ClearForwardings = stdioForwarding ? 1 : 0;
        if (o.ClearForwardings == 1)
        {
            o.LocalForwards.Clear();
            o.RemoteForwards.Clear();
            o.TunnelMode = SshConfigKeywords.TunnelNo;
        }
        o.XAuthLocation ??= "/usr/bin/xauth";
        if (o.GatewayPorts == -1) o.GatewayPorts = 0;
        if (o.StreamLocalBindMask == -1) o.StreamLocalBindMask = 0x7f; // 0177
        if (o.StreamLocalBindUnlink == -1) o.StreamLocalBindUnlink = 0;
        if (o.PubkeyAuthentication == -1) o.PubkeyAuthentication = SshConfigKeywords.PubkeyAll;
        if (o.GssAuthentication == -1) o.GssAuthentication = 0;
        if (o.GssKeyExchange == -1) o.GssKeyExchange = 0;
        if (o.GssDelegateCreds == -1) o.GssDelegateCreds = 0;
        if (o.GssTrustDns == -1) o.GssTrustDns = 0;
        if (o.GssRenewalRekey == -1) o.GssRenewalRekey = 0;
        o.GssKexAlgorithms ??= algorithms.DefaultGssKex;
        if (o.PasswordAuthentication == -1) o.PasswordAuthentication = 1;
        if (o.KbdInteractiveAuthentication == -1) o.KbdInteractiveAuthentication = 1;
        if (o.HostbasedAuthentication == -1) o.HostbasedAuthentication = 0;
        if (o.BatchMode == -1) o.BatchMode = 0;
        if (o.CheckHostIp == -1) o.CheckHostIp = 0;
        if (o.StrictHostKeyChecking == -1) o.StrictHostKeyChecking = SshConfigKeywords.StrictAsk;
        if (o.Compression == -1) o.Compression = 0;
        if (o.TcpKeepAlive == -1) o.TcpKeepAlive = 1;
        if (o.Port == -1) o.Port = 0;
        if (o.AddressFamily == -1) o.AddressFamily = SshConfigKeywords.AfUnspec;
        if (o.ConnectionAttempts == -1) o.ConnectionAttempts = 1;
        if (o.NumberOfPasswordPrompts == -1) o.NumberOfPasswordPrompts = 3;
        if (o.AddKeysToAgent == -1)
        {
            o.AddKeysToAgent = 0;
            o.AddKeysToAgentLifespan = 0;
        }
        if (o.IdentityFiles.Count == 0)
            foreach (var name in new[] { "id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa" })
                o.IdentityFiles.Add(("~/.ssh/" + name, false));
        if (o.EscapeChar == -1) o.EscapeChar = '~';
        if (o.SystemHostFiles.Count == 0)
            o.SystemHostFiles.AddRange(["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]);
        if (o.UpdateHostKeys == -1)
        {
            var defaultFiles = o.UserHostFiles.Count == 0 || (o.UserHostFiles.Count == 1 && o.UserHostFiles[0] == "~/.ssh/known_hosts");
            o.UpdateHostKeys = o.VerifyHostKeyDns <= 0 && defaultFiles ? 1 : 0;
        }
        if (o.UserHostFiles.Count == 0)
            o.UserHostFiles.AddRange(["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]);
        o.LogLevel ??= "INFO";
        o.LogFacility ??= "USER";
        if (o.NoHostAuthenticationForLocalhost == -1) o.NoHostAuthenticationForLocalhost = 0;
        if (o.IdentitiesOnly == -1) o.IdentitiesOnly = 0;
        if (o.EnableSshKeysign == -1) o.EnableSshKeysign = 0;
        if (o.RekeyLimit == -1) o.RekeyLimit = 0;
        if (o.RekeyInterval == -1) o.RekeyInterval = 0;
        if (o.VerifyHostKeyDns == -1) o.VerifyHostKeyDns = 0;
        // Debian: in batch mode a dead server is noticed after 300 s of silence unless told otherwise.
        if (o.ServerAliveInterval == -1) o.ServerAliveInterval = o.BatchMode == 1 ? 300 : 0;
        if (o.ServerAliveCountMax == -1) o.ServerAliveCountMax = 3;
        if (o.ControlMaster == -1) o.ControlMaster = 0;
        if (o.ControlPersist == -1)
        {
            o.ControlPersist = 0;
            o.ControlPersistTimeout = 0;
        }
        if (o.HashKnownHosts == -1) o.HashKnownHosts = 0;
        if (o.TunnelMode == -1) o.TunnelMode = SshConfigKeywords.TunnelNo;
        if (o.TunnelLocal == -1) o.TunnelLocal = -0x7fffffff;
        if (o.TunnelRemote == -1) o.TunnelRemote = -0x7fffffff;
        if (o.PermitLocalCommand == -1) o.PermitLocalCommand = 0;
        if (o.VisualHostKey == -1) o.VisualHostKey = 0;
        // Debian keeps the pre-8.0 IPQoS defaults.
        if (o.IpQosInteractive == -1) o.IpQosInteractive = 0x10;
        if (o.IpQosBulk == -1) o.IpQosBulk = 0x08;
        if (o.RequestTty == -1) o.RequestTty = SshConfigKeywords.TtyAuto;
        if (o.SessionType == -1) o.SessionType = SshConfigKeywords.SessionDefault;
        if (o.ObscureKeystrokeTiming == -1) o.ObscureKeystrokeTiming = SshConfigReader.KeystrokeIntervalDefault;
        if (o.StdinNull == -1) o.StdinNull = 0;
        if (o.ForkAfterAuthentication == -1) o.ForkAfterAuthentication = 0;
        if (o.ProxyUseFdPass == -1) o.ProxyUseFdPass = 0;
        FillForCanonicalization(o);
        o.FingerprintHash ??= "SHA256";
        o.SecurityKeyProvider ??= "internal";
        if (o.RequiredRsaSize == -1) o.RequiredRsaSize = 1024;
        if (o.EnableEscapeCommandline == -1) o.EnableEscapeCommandline = 0;
        if (o.WarnWeakCrypto == -1) o.WarnWeakCrypto = 1;

        var a = algorithms;
        if (!Assemble(ref o.Ciphers, a.DefaultCiphers, a.AllCiphers)) return "fill_default_options: ciphers: invalid argument";
        if (!Assemble(ref o.Macs, a.DefaultMacs, a.AllMacs)) return "fill_default_options: macs: invalid argument";
        o.KexAlgorithmsSet = o.KexAlgorithms is not null;
        if (!Assemble(ref o.KexAlgorithms, a.DefaultKex, a.AllKex)) return "fill_default_options: kex_algorithms: invalid argument";
        if (!Assemble(ref o.HostbasedAcceptedAlgorithms, a.DefaultKeyAlgorithms, a.AllKeyAlgorithms))
            return "fill_default_options: hostbased_accepted_algos: invalid argument";
        if (!Assemble(ref o.PubkeyAcceptedAlgorithms, a.DefaultKeyAlgorithms, a.AllKeyAlgorithms))
            return "fill_default_options: pubkey_accepted_algos: invalid argument";
        if (!Assemble(ref o.CaSignatureAlgorithms, a.DefaultSignatureAlgorithms, a.AllSignatureAlgorithms))
            return "fill_default_options: ca_sign_algorithms: invalid argument";

        o.LocalCommand = ClearOnNone(o.LocalCommand);
        o.RemoteCommand = ClearOnNone(o.RemoteCommand);
        o.ProxyCommand = ClearOnNone(o.ProxyCommand);
        o.ControlPath = ClearOnNone(o.ControlPath);
        o.RevokedHostKeys = ClearOnNone(o.RevokedHostKeys);
        o.Pkcs11Provider = ClearOnNone(o.Pkcs11Provider);
        o.SecurityKeyProvider = ClearOnNone(o.SecurityKeyProvider);
        o.KnownHostsCommand = ClearOnNone(o.KnownHostsCommand);
        if (o.JumpHost == "none" && o.JumpPort == 0 && o.JumpUser is null)
            o.JumpHost = null;
        if (o.PermittedCnames.Count == 1 && o.PermittedCnames[0].Source.Equals("none", StringComparison.OrdinalIgnoreCase)
            && o.PermittedCnames[0].Target.Length == 0)
            o.PermittedCnames.Clear();
        return null;
    }

    private static bool Assemble(ref string? field, string defaults, string all)
    {
        var result = SshConfigAlgorithms.Assemble(field, defaults, all);
        if (result is null)
            return false;
        field = result;
        return true;
    }

    private static string? ClearOnNone(string? value) =>
        value is null || value.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : value;
}
