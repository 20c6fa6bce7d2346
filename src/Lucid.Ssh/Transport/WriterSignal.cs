using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Lucid.Ssh.Transport;

/// <summary>
/// The write loop's wake-up: one waiter (the loop), any number of signallers. A signal that comes while the loop
/// runs is remembered, so the loop looks at its queues again before it waits.
/// </summary>
/// <remarks>
/// A signaller that holds no lock may run the woken loop itself (<see cref="Signal"/> with runHere): the loop
/// then encrypts and sends what was queued on that thread until it waits again, instead of a pool thread being
/// woken for it. For a bulk sender on a thread of its own (`lucid ssh` reading stdin) that is one thread hand-off
/// fewer per read, the way OpenSSH's single loop reads, encrypts and writes in turn. (sshd's output pumps do not:
/// there the loop batching several reads into one send measured cheaper; see SshChannelOptions.SendOnWritingThread.)
/// </remarks>
internal sealed class WriterSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private const int Running = 0, Waiting = 1, Signalled = 2, Closed = 3;
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _state;

    /// <summary>True while the loop waits for a signal (it is idle).</summary>
    internal bool IsWaiting => Volatile.Read(ref _state) == Waiting;

    /// <summary>The loop: completes at once when signalled since the last wait; throws once closed.</summary>
    public ValueTask WaitAsync()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signalled:
                    if (Interlocked.CompareExchange(ref _state, Running, Signalled) == Signalled)
                        return ValueTask.CompletedTask;
                    break;
                case Running:
                    _core.Reset();
                    if (Interlocked.CompareExchange(ref _state, Waiting, Running) == Running)
                        return new ValueTask(this, _core.Version);
                    break;
                default:
                    return ValueTask.FromException(new ChannelClosedException());
            }
        }
    }

    /// <summary>Wakes the loop; with <paramref name="runHere"/> a waiting loop resumes on this thread, inside this call.</summary>
    public void Signal(bool runHere = false)
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Waiting:
                    if (Interlocked.CompareExchange(ref _state, Running, Waiting) != Waiting)
                        break;
                    // Only the signaller that won the exchange touches the core until the loop waits again.
                    if (runHere)
                        _core.SetResult(true);
                    else
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false); // as a channel's reader would be woken
                    return;
                case Running:
                    if (Interlocked.CompareExchange(ref _state, Signalled, Running) == Running)
                        return;
                    break;
                default:
                    return; // already signalled, or closed
            }
        }
    }

    /// <summary>Ends the loop: its current or next wait throws.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _state, Closed) == Waiting)
            ThreadPool.UnsafeQueueUserWorkItem(static s => s._core.SetException(new ChannelClosedException()), this, preferLocal: false);
    }

    // The queued wake-up: resumes the loop on this pool thread.
    void IThreadPoolWorkItem.Execute() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
