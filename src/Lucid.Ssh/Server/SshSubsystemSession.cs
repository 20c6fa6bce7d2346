using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>An in-process subsystem's view of its session channel.</summary>
public sealed class SshSubsystemSession
{
    internal SshSubsystemSession(SshServerContext context, string name, SshChannel channel)
    {
        Context = context;
        Name = name;
        Channel = channel;
    }

    /// <summary>The connection and the user it belongs to.</summary>
    public SshServerContext Context { get; }

    /// <summary>The subsystem name the client asked for ("sftp").</summary>
    public string Name { get; }

    /// <summary>The session channel: <see cref="SshChannel.Input"/> is the client's data, writes go back to it.</summary>
    public SshChannel Channel { get; }
}
