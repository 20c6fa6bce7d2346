namespace Lucid.Ssh.Auth;

/// <summary>
/// What client authentication needs from the layers around it that IPacketConnection does not carry:
/// the transport's server-sig-algs (from EXT_INFO) and a hook to start delayed compression on success.
/// </summary>
public sealed class ClientAuthContext
{
    /// <summary>The host name used in prompts ("alice@host's password: ").</summary>
    public required string Host { get; init; }

    /// <summary>Returns the server-sig-algs the transport received in EXT_INFO, or null if none came.</summary>
    public Func<IReadOnlyList<string>?>? ServerSignatureAlgorithms { get; init; }

    /// <summary>Called once USERAUTH_SUCCESS arrived (before any other message is sent): delayed compression starts here.</summary>
    public Action? Authenticated { get; init; }
}
