using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>The built-in "session" handler: sshd's sessions (pty, env, exec, shell, subsystems), up to MaxSessions.</summary>
internal static class SessionChannelHandler
{
    public static ValueTask HandleAsync(SshServerChannelOpen open, CancellationToken cancellationToken)
    {
        var context = open.Context;
        if (!context.TryAddSession())
        {
            open.Reject(ChannelOpenFailureReason.AdministrativelyProhibited);
            return default;
        }
        var channel = open.Accept(null, c => context.TrackSession(new SshServerSession(c, context.Auth, context.Client, context.Options, context)));
        _ = channel.Completion.ContinueWith(_ => context.RemoveSession(), TaskScheduler.Default);
        return default;
    }
}
