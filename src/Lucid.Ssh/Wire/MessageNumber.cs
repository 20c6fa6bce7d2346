namespace Lucid.Ssh.Wire;

/// <summary>SSH message numbers (RFC 4250 section 4.1 and OpenSSH's extensions).</summary>
public enum MessageNumber : byte
{
    Disconnect = 1,
    Ignore = 2,
    Unimplemented = 3,
    Debug = 4,
    ServiceRequest = 5,
    ServiceAccept = 6,
    ExtInfo = 7,
    NewCompress = 8,
    KexInit = 20,
    NewKeys = 21,
    /// <summary>First KEX-method-specific number (KEX_ECDH_INIT, KEXDH_INIT, KEX_DH_GEX_REQUEST_OLD).</summary>
    KexMethod30 = 30,
    KexMethod31 = 31,
    KexMethod32 = 32,
    KexMethod33 = 33,
    KexMethod34 = 34,
    UserAuthRequest = 50,
    UserAuthFailure = 51,
    UserAuthSuccess = 52,
    UserAuthBanner = 53,
    /// <summary>Method-specific: PK_OK, PASSWD_CHANGEREQ, INFO_REQUEST.</summary>
    UserAuthMethod60 = 60,
    /// <summary>Method-specific: INFO_RESPONSE.</summary>
    UserAuthMethod61 = 61,
    GlobalRequest = 80,
    RequestSuccess = 81,
    RequestFailure = 82,
    ChannelOpen = 90,
    ChannelOpenConfirmation = 91,
    ChannelOpenFailure = 92,
    ChannelWindowAdjust = 93,
    ChannelData = 94,
    ChannelExtendedData = 95,
    ChannelEof = 96,
    ChannelClose = 97,
    ChannelRequest = 98,
    ChannelSuccess = 99,
    ChannelFailure = 100,
    Ping = 192,
    Pong = 193,
}
