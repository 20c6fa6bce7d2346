using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>sshd's log lines in OpenSSH's words. Information is INFO; EventId 1 at Debug is VERBOSE.</summary>
internal static partial class SshServerLog
{
    public const int Verbose = 1;

    [LoggerMessage(Level = LogLevel.Information, Message = "Server listening on {Address} port {Port}.")]
    public static partial void Listening(ILogger logger, string address, int port);

    [LoggerMessage(EventId = Verbose, Level = LogLevel.Debug, Message = "Connection from {Ip} port {Port} on {LocalIp} port {LocalPort}")]
    public static partial void ConnectionFrom(ILogger logger, string ip, int port, string localIp, int localPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted {Method} for {User} from {Ip} port {Port} ssh2{Detail}")]
    public static partial void Accepted(ILogger logger, string method, string user, string ip, int port, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Failed {Method} for {Invalid}{User} from {Ip} port {Port} ssh2{Detail}")]
    public static partial void Failed(ILogger logger, string method, string invalid, string user, string ip, int port, string detail);

    [LoggerMessage(EventId = Verbose, Level = LogLevel.Debug, Message = "Failed {Method} for {Invalid}{User} from {Ip} port {Port} ssh2{Detail}")]
    public static partial void FailedVerbose(ILogger logger, string method, string invalid, string user, string ip, int port, string detail);

    [LoggerMessage(EventId = Verbose, Level = LogLevel.Debug, Message = "Postponed {Method} for {Invalid}{User} from {Ip} port {Port} ssh2{Detail}")]
    public static partial void Postponed(ILogger logger, string method, string invalid, string user, string ip, int port, string detail);

    [LoggerMessage(EventId = Verbose, Level = LogLevel.Debug, Message = "Partial {Method} for {User} from {Ip} port {Port} ssh2{Detail}")]
    public static partial void Partial(ILogger logger, string method, string user, string ip, int port, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invalid user {User} from {Ip} port {Port}")]
    public static partial void InvalidUser(ILogger logger, string user, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {User} from {Ip} not allowed because {Reason}")]
    public static partial void NotAllowed(ILogger logger, string user, string ip, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "ROOT LOGIN REFUSED FROM {Ip} port {Port}")]
    public static partial void RootRefused(ILogger logger, string ip, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "maximum authentication attempts exceeded for {Invalid}{User} from {Ip} port {Port} ssh2 [preauth]")]
    public static partial void MaxTries(ILogger logger, string invalid, string user, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnecting {Who}{User} {Ip} port {Port}: {Reason} [preauth]")]
    public static partial void DisconnectingPreauth(ILogger logger, string who, string user, string ip, int port, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Timeout before authentication for {Ip} port {Port}")]
    public static partial void GraceTimeout(ILogger logger, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection closed by {Who}{Ip} port {Port} [preauth]")]
    public static partial void ClosedPreauth(ILogger logger, string who, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected from user {User} {Ip} port {Port}")]
    public static partial void Disconnected(ILogger logger, string user, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection from {Ip} port {Port}: {Problem} [preauth]")]
    public static partial void ProtocolProblem(ILogger logger, string ip, int port, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "drop connection #{Number} from [{Ip}]:{Port} on [{LocalIp}]:{LocalPort} past MaxStartups")]
    public static partial void Dropped(ILogger logger, int number, string ip, int port, string localIp, int localPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "drop connection #{Number} from [{Ip}]:{Port} on [{LocalIp}]:{LocalPort} {Reason}")]
    public static partial void DroppedPenalised(ILogger logger, int number, string ip, int port, string localIp, int localPort, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "administratively prohibited connection for {Invalid}{User} from {Ip} port {Port}")]
    public static partial void Refused(ILogger logger, string invalid, string user, string ip, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication refused: {Reason}")]
    public static partial void AuthenticationRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    public static partial void Info(ILogger logger, string message);

    [LoggerMessage(EventId = Verbose, Level = LogLevel.Debug, Message = "{Message}")]
    public static partial void VerboseMessage(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Message}")]
    public static partial void Debug1(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    public static partial void Error(ILogger logger, string message);
}
