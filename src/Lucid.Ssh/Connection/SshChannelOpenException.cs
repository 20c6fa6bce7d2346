namespace Lucid.Ssh.Connection;

/// <summary>The peer refused to open a channel (SSH_MSG_CHANNEL_OPEN_FAILURE), with its reason and description.</summary>
public sealed class SshChannelOpenException : SshException
{
    public SshChannelOpenException(ChannelOpenFailureReason reason, string description)
        : base(Describe(reason, description))
    {
        Reason = reason;
        Description = description;
        this.At(SshStage.Channel, new SshFailureCause.ChannelOpenRefused(reason, description));
    }

    public ChannelOpenFailureReason Reason { get; }
    public string Description { get; }

    // OpenSSH prints "channel N: open failed: administratively prohibited: <description>"; the reason words match its table.
    public static string ReasonText(ChannelOpenFailureReason reason) => reason switch
    {
        ChannelOpenFailureReason.AdministrativelyProhibited => "administratively prohibited",
        ChannelOpenFailureReason.ConnectFailed => "connect failed",
        ChannelOpenFailureReason.UnknownChannelType => "unknown channel type",
        ChannelOpenFailureReason.ResourceShortage => "resource shortage",
        _ => "unknown reason",
    };

    private static string Describe(ChannelOpenFailureReason reason, string description) =>
        description.Length == 0 ? $"open failed: {ReasonText(reason)}" : $"open failed: {ReasonText(reason)}: {description}";
}
