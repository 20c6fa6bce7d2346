using System.Net.Sockets;

namespace Lucid.Cli.Agent;

/// <summary>strerror's words for a failed connection to an agent socket, as OpenSSH's tools print them.</summary>
internal static class AgentErrors
{
    public static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        // .NET reports a missing socket file (ENOENT) as "address not available".
        SocketError.AddressNotAvailable => "No such file or directory",
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.AccessDenied => "Permission denied",
        _ => e.Message,
    };
}
