using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;

namespace Lucid.Cli.Ssh;

/// <summary>
/// OpenSSH 10's warning (WarnWeakCrypto) for a connection whose key exchange is not post-quantum: printed once, after
/// the first key exchange and before authentication, unless WarnWeakCrypto is off or KexAlgorithms was configured
/// (whoever chose the list chose the risk too).
/// </summary>
internal static class PostQuantumWarning
{
    public static readonly string[] Lines =
    [
        "** WARNING: connection is not using a post-quantum key exchange algorithm.",
        "** This session may be vulnerable to \"store now, decrypt later\" attacks.",
        "** The server may need to be upgraded. See https://openssh.com/pq.html",
    ];

    public static bool Applies(EffectiveSshConfig config, SshTransport transport) =>
        config.WarnWeakCrypto && !config.KexAlgorithmsSet && transport.Algorithms is { Kex.IsPostQuantum: false };
}
