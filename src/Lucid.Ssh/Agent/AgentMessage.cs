namespace Lucid.Ssh.Agent;

/// <summary>The agent protocol's message numbers, constraint types and sign flags (RFC 9987, OpenSSH's authfd.h).</summary>
internal static class AgentMessage
{
    public const byte Failure = 5;
    public const byte Success = 6;
    public const byte RequestIdentities = 11;
    public const byte IdentitiesAnswer = 12;
    public const byte SignRequest = 13;
    public const byte SignResponse = 14;
    public const byte AddIdentity = 17;
    public const byte RemoveIdentity = 18;
    public const byte RemoveAllIdentities = 19;
    public const byte AddSmartcardKey = 20;
    public const byte RemoveSmartcardKey = 21;
    public const byte Lock = 22;
    public const byte Unlock = 23;
    public const byte AddIdentityConstrained = 25;
    public const byte AddSmartcardKeyConstrained = 26;
    public const byte Extension = 27;
    public const byte ExtensionFailure = 28;
    public const byte ExtensionResponse = 29;

    /// <summary>The SSH1 "remove all" number, which OpenSSH's agent still honours (ssh-add -D sends both).</summary>
    public const byte RemoveAllRsaIdentities = 9;

    public const byte ConstrainLifetime = 1;
    public const byte ConstrainConfirm = 2;
    public const byte ConstrainExtension = 255;

    public const uint FlagRsaSha256 = 2;
    public const uint FlagRsaSha512 = 4;

    public const string SessionBindExtension = "session-bind@openssh.com";
    public const string QueryExtension = "query";
    public const string RestrictDestinationConstraint = "restrict-destination-v00@openssh.com";

    /// <summary>OpenSSH's AGENT_MAX_LEN: a longer frame closes the connection, on both ends.</summary>
    public const int MaxMessageLength = 256 * 1024;
}
