using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Transport;

/// <summary>The transport's log lines, worded as OpenSSH's debug output at the same stages (Debug = debug1, Trace = debug2/3).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Local version string {Version}")]
    public static partial void LocalVersion(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Remote protocol version {Protocol}, remote software version {Software}")]
    public static partial void RemoteVersion(ILogger logger, string protocol, string software);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SSH2_MSG_KEXINIT sent")]
    public static partial void KexInitSent(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SSH2_MSG_KEXINIT received")]
    public static partial void KexInitReceived(ILogger logger);

    [LoggerMessage(Level = LogLevel.Trace, Message = "peer {Direction} KEXINIT proposal: KEX algorithms: {Kex}; host key algorithms: {HostKey}; ciphers: {Ciphers}; MACs: {Macs}; compression: {Compression}")]
    public static partial void Proposal(ILogger logger, string direction, string kex, string hostKey, string ciphers, string macs, string compression);

    [LoggerMessage(Level = LogLevel.Debug, Message = "kex: algorithm: {Name}")]
    public static partial void KexAlgorithm(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "kex: host key algorithm: {Name}")]
    public static partial void HostKeyAlgorithm(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "kex: {Direction} cipher: {Cipher} MAC: {Mac} compression: {Compression}")]
    public static partial void DirectionAlgorithms(ILogger logger, string direction, string cipher, string mac, string compression);

    [LoggerMessage(Level = LogLevel.Debug, Message = "expecting {Message}")]
    public static partial void Expecting(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Message} received")]
    public static partial void Received(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Message} sent")]
    public static partial void Sent(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Server host key: {KeyType} {Fingerprint}")]
    public static partial void ServerHostKey(ILogger logger, string keyType, string fingerprint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Server host certificate: {KeyType} {Fingerprint}, serial {Serial} ID \"{KeyId}\" CA {CaKeyType} {CaFingerprint} valid {Validity}")]
    public static partial void ServerHostCertificate(ILogger logger, string keyType, string fingerprint, ulong serial, string keyId,
        string caKeyType, string caFingerprint, string validity);

    [LoggerMessage(Level = LogLevel.Trace, Message = "Server host certificate hostname: {Principal}")]
    public static partial void ServerHostCertificatePrincipal(ILogger logger, string principal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "kex: strict KEX {State}")]
    public static partial void StrictKex(ILogger logger, string state);

    [LoggerMessage(Level = LogLevel.Debug, Message = "kex_input_ext_info: {Name}=<{Value}>")]
    public static partial void ExtInfo(ILogger logger, string name, string value);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Remote: {Text}")]
    public static partial void RemoteDebug(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Received SSH2_MSG_UNIMPLEMENTED for {Sequence}")]
    public static partial void Unimplemented(ILogger logger, uint sequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "rekeying: {Reason}")]
    public static partial void Rekeying(ILogger logger, string reason);

    /// <summary>OpenSSH's dh_pub_is_valid line: the bits set in a DH public value and the group's size.</summary>
    [LoggerMessage(Level = LogLevel.Trace, Message = "bits set: {Set}/{Bits}")]
    public static partial void DhBitsSet(ILogger logger, long set, long bits);

    [LoggerMessage(Level = LogLevel.Debug, Message = "transport failed: {Message}")]
    public static partial void Failed(ILogger logger, string message);
}
