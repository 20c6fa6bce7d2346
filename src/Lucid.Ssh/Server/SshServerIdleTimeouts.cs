using System.Collections.Concurrent;
using System.Globalization;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>
/// sshd's inactivity rules for an authenticated connection: ChannelTimeout closes a channel no data has crossed
/// for its type's interval (or, with "global", every channel once none has carried data for that long), and
/// UnusedConnectionTimeout ends a connection that has had no open channel for its interval.
/// </summary>
internal sealed class SshServerIdleTimeouts(SshdConfig config, ServerClientInfo client, ILogger log)
{
    private readonly ConcurrentDictionary<SshServerSession, byte> _sessions = new();
    private readonly ChannelTimeouts _timeouts = ChannelTimeouts.From(config.Values("channeltimeout"));
    private readonly int _unusedSeconds = config.Int("unusedconnectiontimeout", 0);

    public bool Enabled => !_timeouts.IsEmpty || _unusedSeconds > 0;

    public void Add(SshServerSession session)
    {
        _sessions[session] = 0;
        _ = session.Channel.Completion.ContinueWith(_ => _sessions.TryRemove(session, out byte _), TaskScheduler.Default);
    }

    /// <summary>Checks every second until <paramref name="cancellationToken"/> ends; ends the connection through <paramref name="transport"/>.</summary>
    public async Task RunAsync(SshTransport transport, CancellationToken cancellationToken)
    {
        var unusedSince = Environment.TickCount64;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                var now = Environment.TickCount64;
                var open = _sessions.Keys.ToList();
                if (open.Count > 0)
                    unusedSince = now;
                else if (_unusedSeconds > 0 && now - unusedSince >= _unusedSeconds * 1000L)
                {
                    SshServerLog.Info(log, $"terminating inactive connection from {client.Ip} port {client.Port}");
                    // sshd's session process exits: the client sees the connection close.
                    await transport.DisposeAsync().ConfigureAwait(false);
                    return;
                }
                var lastUsedAny = open.Count == 0 ? now : open.Max(s => s.Channel.LastUsed);
                foreach (var session in open)
                {
                    var seconds = _timeouts.For(session.TimeoutType);
                    var expired = (seconds > 0 && now - session.Channel.LastUsed >= seconds * 1000L)
                        || (_timeouts.GlobalSeconds > 0 && now - lastUsedAny >= _timeouts.GlobalSeconds * 1000L);
                    if (!expired)
                        continue;
                    SshServerLog.VerboseMessage(log, $"channel {session.Channel.LocalId.ToString(CultureInfo.InvariantCulture)}: closing after " +
                        $"{(seconds > 0 ? seconds : _timeouts.GlobalSeconds).ToString(CultureInfo.InvariantCulture)} seconds of inactivity");
                    _sessions.TryRemove(session, out _);
                    _ = session.Channel.CloseAsync(CancellationToken.None);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SshException or IOException or ObjectDisposedException)
        {
            // The connection ended first.
        }
    }
}
