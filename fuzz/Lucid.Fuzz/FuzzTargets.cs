using Lucid.Fuzz.Targets;

namespace Lucid.Fuzz;

/// <summary>Every harness, by the name used on the command line and as the corpus folder (fuzz/corpus/NAME).</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("packet-framer", "Transport/PacketReader: identification line, framing, decryption, MAC, zlib", TransportTargets.PacketFramer),
        new("kexinit", "Transport/KexInitMessage.Parse and Negotiate", TransportTargets.KexInit),
        new("kex-client", "SshTransport client handshake: KEXINIT, KEX_ECDH_REPLY, KEXDH_REPLY, KEX_DH_GEX_GROUP/REPLY", TransportTargets.KexClient),
        new("kex-server", "SshTransport server handshake: KEXINIT, KEX_ECDH_INIT, KEXDH_INIT (group14), NEWKEYS",
            data => TransportTargets.KexServer(data, TransportTargets.FastServerKex)),
        new("kex-server-dh", "SshTransport server handshake, large groups: KEXDH_INIT (group16/18), KEX_DH_GEX_REQUEST/INIT",
            data => TransportTargets.KexServer(data, TransportTargets.LargeGroupServerKex)),
        new("userauth-server", "Auth/ServerAuthenticator: SERVICE_REQUEST, USERAUTH_REQUEST, INFO_RESPONSE", AuthTargets.Server),
        new("userauth-client", "Auth/ClientAuthenticator: SERVICE_ACCEPT, FAILURE, PK_OK, BANNER, INFO_REQUEST, SUCCESS", AuthTargets.Client),
        new("channel", "Connection/SshConnection dispatch, SshSession and the server's session requests", ConnectionTargets.Channel),
        new("public-key", "Keys/SshPublicKey.FromBlob", KeyTargets.PublicKeyBlob),
        new("public-key-text", "Keys/SshPublicKey.ParseLine, Rfc4716Format.Read, PublicKeyPemFormat.Read", KeyTargets.PublicKeyText),
        new("signature", "Keys/SshPublicKey.Verify over a key blob and a signature blob", KeyTargets.Signature),
        new("certificate", "Keys/SshCertificate (FromBlob) and SshCertificateValidation", KeyTargets.Certificate),
        new("private-key", "Keys/PrivateKeyFile: openssh-key-v1, PEM, PKCS#8", KeyTargets.PrivateKeyFile),
        new("sshsig", "Keys/SshSignature.Verify (ssh-keygen -Y)", KeyTargets.SshSig),
        new("authorized-keys", "OpenSsh/AuthorizedKeysFile.Parse (lines and options) and Authorize", OpenSshTargets.AuthorizedKeys),
        new("known-hosts", "OpenSsh/KnownHosts.Parse and Check", OpenSshTargets.KnownHostsFile),
        new("ssh-config", "OpenSsh/SshConfig.Resolve over an -F file", OpenSshTargets.SshConfigFile),
        new("krl", "OpenSsh/KeyRevocationList.Parse and IsRevoked (sshd RevokedKeys)", KrlTargets.Krl),
        new("sshd-config", "OpenSsh/SshdConfig.Parse, ForConnection and sshd -T", OpenSshTargets.SshdConfigFile),
        new("agent-server", "Agent/SshAgentServer.ServeAsync: framing and every request (ssh-agent's socket)", AgentTargets.Server),
    ];

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}'; known: {string.Join(", ", All.Select(t => t.Name))}");
}
