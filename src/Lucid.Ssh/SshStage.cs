using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;

namespace Lucid.Ssh;

/// <summary>The stages of a connection, in the order a client goes through them; every failure names one.</summary>
public enum SshStage
{
    /// <summary>Reading configuration and key files before anything goes on the network.</summary>
    Config,
    /// <summary>Resolving the host name.</summary>
    Dns,
    /// <summary>The TCP connection (or the proxy command standing in for it).</summary>
    Tcp,
    /// <summary>The identification strings ("SSH-2.0-...") both sides send first.</summary>
    Version,
    /// <summary>Algorithm negotiation and the key exchange.</summary>
    Kex,
    /// <summary>Deciding whether the server's host key is trusted (known_hosts, certificates).</summary>
    HostKey,
    /// <summary>User authentication.</summary>
    Auth,
    /// <summary>The authenticated connection: channels, sessions, global requests.</summary>
    Channel,
    /// <summary>Port forwarding (listeners and the connections they carry).</summary>
    Forwarding,
}

/// <summary>
/// Why a connection failed, for programs (and `lucid doctor`) to act on without reading message text. The
/// exception's message stays OpenSSH's wording; the cause is the same fact as data.
/// </summary>
public abstract record SshFailureCause
{
    /// <summary>The host name did not resolve.</summary>
    public sealed record HostNotFound(string Host, string Reason) : SshFailureCause;

    /// <summary>TCP connect failed (refused, unreachable); <paramref name="Reason"/> is the system's words.</summary>
    public sealed record ConnectFailed(string Host, int Port, string Reason) : SshFailureCause;

    /// <summary>The stage did not finish in time (ConnectTimeout, LoginGraceTime, the handshake limit).</summary>
    public sealed record TimedOut : SshFailureCause;

    /// <summary>The peer closed the connection.</summary>
    public sealed record ConnectionClosed : SshFailureCause;

    /// <summary>Reading or writing the connection failed (reset, broken pipe).</summary>
    public sealed record ConnectionLost(string Reason) : SshFailureCause;

    /// <summary>The peer sent SSH_MSG_DISCONNECT.</summary>
    public sealed record PeerDisconnected(DisconnectReason Code, string Description) : SshFailureCause;

    /// <summary>A line before the identification string was unusable (too long, NUL bytes).</summary>
    public sealed record InvalidBanner(string Problem) : SshFailureCause;

    /// <summary>The identification string was missing, malformed, or not protocol 2.0.</summary>
    public sealed record UnsupportedVersion(string Problem) : SshFailureCause;

    /// <summary>
    /// No algorithm both sides accept. <paramref name="Kind"/> is OpenSSH's word ("key exchange method",
    /// "host key type", "cipher", "MAC", "compression method").
    /// </summary>
    public sealed record NoCommonAlgorithm(string Kind, IReadOnlyList<string> Ours, IReadOnlyList<string> Theirs) : SshFailureCause;

    /// <summary>The host key verifier did not accept the server's key (unknown, or refused by the user).</summary>
    public sealed record HostKeyRejected(SshPublicKey HostKey) : SshFailureCause;

    /// <summary>The server's key differs from the one known_hosts holds for it (possible man in the middle).</summary>
    public sealed record HostKeyMismatch(SshPublicKey HostKey, string KnownHostsFile, int Line) : SshFailureCause;

    /// <summary>Every authentication method we could try failed; <paramref name="MethodsLeft"/> is what the server still offered.</summary>
    public sealed record AuthExhausted(IReadOnlyList<string> MethodsLeft) : SshFailureCause;

    /// <summary>Server side: the client used up MaxAuthTries.</summary>
    public sealed record TooManyAuthFailures : SshFailureCause;

    /// <summary>A packet failed its integrity check (MAC or AEAD tag).</summary>
    public sealed record IntegrityFailure : SshFailureCause;

    /// <summary>The peer refused to open a channel.</summary>
    public sealed record ChannelOpenRefused(ChannelOpenFailureReason Reason, string Description) : SshFailureCause;

    /// <summary>The peer broke the protocol in some other way (the message says how).</summary>
    public sealed record ProtocolViolation : SshFailureCause;
}

/// <summary>Receives a client's progress through the stages (Tcp, Version, Kex, HostKey, Auth); `lucid doctor` is built on it.</summary>
public interface ISshStageObserver
{
    /// <summary>A stage began.</summary>
    void Started(SshStage stage) { }

    /// <summary>A stage finished successfully.</summary>
    void Completed(SshStage stage) { }

    /// <summary>A stage failed with <paramref name="error"/> (its <see cref="SshException.Stage"/> and <see cref="SshException.Cause"/> are set); the connection is over.</summary>
    void Failed(SshStage stage, SshException error) { }
}

internal static class SshFailureTagging
{
    /// <summary>Records where and why (unless an inner layer, which knew better, already did) and returns the exception.</summary>
    public static T At<T>(this T exception, SshStage? stage, SshFailureCause? cause = null) where T : SshException
    {
        exception.Stage ??= stage;
        exception.Cause ??= cause;
        return exception;
    }
}
