using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Connection;

/// <summary>The connection layer's log lines, in OpenSSH's words (channels.c).</summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "channel {Channel}: rcvd big packet {Length}, maxpack {MaxPacket}")]
    public static partial void BigPacket(ILogger logger, uint channel, int length, uint maxPacket);
}
