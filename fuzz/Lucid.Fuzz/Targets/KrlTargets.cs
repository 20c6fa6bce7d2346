using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Fuzz.Targets;

/// <summary>OpenSSH key revocation lists (PROTOCOL.krl), as sshd's RevokedKeys reads them.</summary>
internal static class KrlTargets
{
    /// <summary>
    /// The keys each KRL is asked about: the recording keys (the corpus' KRLs revoke them by blob and hash) and
    /// certificates their ecdsa key signed with serials and an ID the corpus revokes, plus one it does not.
    /// </summary>
    private static readonly Lazy<SshPublicKey[]> Keys = new(() =>
    {
        var ca = RecordingKeys.Key("id_ecdsa");
        var ed25519 = RecordingKeys.Key("id_ed25519");
        return
        [
            ed25519.PublicKey, ca.PublicKey, RecordingKeys.Key("id_rsa").PublicKey,
            SshCertificate.Sign(ed25519.PublicKey, ca, SshCertificateType.User, "fuzz-revoked-id", ["fuzz"], serial: 5),
            SshCertificate.Sign(ed25519.PublicKey, ca, SshCertificateType.User, "kept", ["fuzz"], serial: 1000),
            SshCertificate.Sign(ed25519.PublicKey, ca, SshCertificateType.User, "kept", ["fuzz"], serial: 77),
        ];
    });

    public static void Krl(byte[] data)
    {
        KeyRevocationList.IsKrl(data);
        var krl = KeyRevocationList.Parse(data);
        foreach (var key in Keys.Value)
            krl.IsRevoked(key);
    }
}
