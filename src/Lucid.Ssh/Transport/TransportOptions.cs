using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lucid.Ssh.Transport;

/// <summary>What both roles configure: algorithm lists (preferred first), rekey limits, timeouts, logging.</summary>
public abstract class TransportOptions
{
    public IReadOnlyList<string> KexAlgorithms { get; set; } = AlgorithmRegistry.Defaults(AlgorithmCategory.Kex);
    /// <summary>
    /// Plain algorithms only by default, so a <see cref="HostKeyVerifier"/> that pins plain keys keeps working against a
    /// server that also has a host certificate; list the *-cert-v01@openssh.com names (AlgorithmRegistry.Defaults(HostKey)
    /// has them first, as OpenSSH's ssh) to be offered certificates, which reach the verifier as <see cref="SshCertificate"/>.
    /// </summary>
    public IReadOnlyList<string> HostKeyAlgorithms { get; set; } = [.. AlgorithmRegistry.HostKey.Where(a => a.EnabledByDefault).Select(a => a.Name)];
    public IReadOnlyList<string> Ciphers { get; set; } = AlgorithmRegistry.Defaults(AlgorithmCategory.Cipher);
    public IReadOnlyList<string> Macs { get; set; } = AlgorithmRegistry.Defaults(AlgorithmCategory.Mac);
    public abstract IReadOnlyList<string> Compression { get; set; }

    /// <summary>Rekey after this many bytes in either direction; null for OpenSSH's cipher-dependent default.</summary>
    public long? RekeyBytes { get; set; }

    /// <summary>Rekey after this much time; null (the default) for never.</summary>
    public TimeSpan? RekeyInterval { get; set; }

    /// <summary>Limit for the version exchange and the first key exchange together.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Our identification string (without CR LF).</summary>
    public string SoftwareVersion { get; set; } = "SSH-2.0-" + LucidVersion.SoftwareVersion;

    /// <summary>The peer as a user would name it, for messages ("127.0.0.1 port 22").</summary>
    public string? PeerDescription { get; set; }

    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Told as the handshake passes the Version, Kex and HostKey stages, and where it failed.</summary>
    public ISshStageObserver? Observer { get; set; }

    /// <summary>
    /// Runs the read loop on a thread of its own instead of the thread pool's. Meant for a stream whose reads block
    /// the calling thread until data arrives, in a process with one connection (as `lucid ssh`): each packet is then
    /// read, decrypted and handed up on that thread, with no wake-up of another thread per read. Off by default:
    /// a server's thousands of connections share the pool.
    /// </summary>
    public bool DedicatedReadThread { get; set; }

    /// <summary>
    /// Lets the writing of a bulk flush (64 KiB or more of sealed packets) run on a thread-pool thread while the write
    /// loop seals the next packets, so that sealing and the socket write overlap. On by default: a server's downloads
    /// then use both cores (`lucid sshd` to `lucid ssh`, aes128-gcm: ~10% faster). `lucid ssh` turns it off: its stdin
    /// thread reads, seals and sends in turn, and a hand-off per send cost it more CPU than the overlap gained.
    /// </summary>
    public bool PipelineBulkSends { get; set; } = true;

    /// <summary>Tests only: send KEX method packets optimistically with first_kex_packet_follows set.</summary>
    internal bool SendKexGuess { get; set; }
}

/// <summary>Decides whether a server's host key is acceptable; return false to abort with "Host key verification failed.".</summary>
public delegate ValueTask<bool> HostKeyVerifier(SshPublicKey hostKey, string host, int port, CancellationToken cancellationToken);

public sealed class ClientTransportOptions : TransportOptions
{
    /// <summary>Client default: no compression (OpenSSH's Compression=no).</summary>
    public override IReadOnlyList<string> Compression { get; set; } = ["none"];

    /// <summary>The host name and port the user asked for, passed to <see cref="HostKeyVerifier"/>.</summary>
    public string Host { get; set; } = "";
    public int Port { get; set; } = 22;

    /// <summary>Required: called once with the server's host key during the first key exchange.</summary>
    public HostKeyVerifier? HostKeyVerifier { get; set; }
}

public sealed class ServerTransportOptions : TransportOptions
{
    public ServerTransportOptions() => KexAlgorithms = AlgorithmRegistry.ServerDefaults(AlgorithmCategory.Kex);

    /// <summary>Server default as OpenSSH's sshd: none, then delayed zlib.</summary>
    public override IReadOnlyList<string> Compression { get; set; } = ["none", "zlib@openssh.com"];

    /// <summary>The host keys (any <see cref="ISshSigner"/>); the advertised host key algorithms are those these keys can sign with.</summary>
    public IReadOnlyList<ISshSigner> HostKeys { get; set; } = [];

    /// <summary>Sent in EXT_INFO as server-sig-algs: the signature algorithms accepted for publickey authentication.</summary>
    public IReadOnlyList<string> ServerSignatureAlgorithms { get; set; } =
        ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256"];
}
