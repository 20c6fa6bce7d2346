using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Server;

/// <summary>Runs a registered <see cref="SshSubsystemHandler"/> on a session channel, then exit-status and CLOSE.</summary>
internal static class InProcessSubsystem
{
    public static async Task RunAsync(SshSubsystemSession session, SshSubsystemHandler handler)
    {
        var channel = session.Channel;
        var log = session.Context.Options.Logger;
        int status;
        try
        {
            status = await handler(session, session.Context.Closed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !session.Context.Closed.IsCancellationRequested)
        {
            SshServerLog.Error(log, $"subsystem {session.Name}: {e.Message}");
            status = 255;
        }
        try
        {
            using var data = new SshWriter(4);
            data.WriteUInt32((uint)status);
            await channel.SendRequestAsync("exit-status", data.ToArray(), wantReply: false).ConfigureAwait(false);
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SshException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client closed the channel or went away first.
        }
    }
}
