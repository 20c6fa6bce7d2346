using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>
/// One connection's session channels: MaxSessions counts those still open, and at the connection's end the server
/// waits for each session to have hung up its processes.
/// </summary>
/// <remarks>
/// A channel counts as open until its <see cref="SshChannel.Completion"/>, which is set on the read loop as the
/// CLOSE that ends it is handled, so a client that opens a new session right after one has closed is never refused
/// for it. (A count decremented from a continuation of that completion could still be behind the next open.)
/// </remarks>
internal sealed class ServerSessionTracker(int maxSessions)
{
    private readonly List<(SshChannel Channel, Task HungUp)> _sessions = [];

    /// <summary>Whether another session may open (called on the read loop, with the open request).</summary>
    public bool HasRoom
    {
        get
        {
            lock (_sessions)
                return _sessions.Count(s => !s.Channel.Completion.IsCompleted) < maxSessions;
        }
    }

    public void Add(SshChannel channel, SshServerSession session)
    {
        lock (_sessions)
        {
            _sessions.RemoveAll(s => s.Channel.Completion.IsCompleted && s.HungUp.IsCompleted);
            _sessions.Add((channel, session.Completion));
        }
    }

    /// <summary>Completes when every session has finished its teardown (which never waits for a process), or after <paramref name="limit"/>.</summary>
    public Task HungUpAsync(TimeSpan limit)
    {
        Task[] pending;
        lock (_sessions)
            pending = [.. _sessions.Select(s => s.HungUp)];
        return Task.WhenAll(pending).WaitAsync(limit);
    }
}
