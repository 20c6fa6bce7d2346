using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Lucid.Ssh.Transport;

/// <summary>
/// Writes one buffer of sealed packets to the stream on a thread-pool thread, so that the writer can seal the
/// next packets while the kernel copies these: a pipeline of two. One send at a time; the writer starts the next
/// only after it has seen this one complete (<see cref="IsDone"/> or awaiting <see cref="Completion"/>).
/// </summary>
/// <remarks>
/// On loopback a send of 128 KiB costs about as much as sealing it (the sender's system call also runs the
/// receiver's TCP processing), so a transfer whose writer does both in turn is limited by that one thread while
/// the other core waits.
/// </remarks>
internal sealed class PacketSender(Stream stream) : IThreadPoolWorkItem, IValueTaskSource
{
    private const int Idle = 0, Sending = 1, Abandoned = 2;
    private ManualResetValueTaskSourceCore<bool> _core;
    private PacketBuffer? _buffer;
    private int _length;
    private int _state;
    private ValueTask _write;
    private Action? _onWritten;

    /// <summary>True when the send last started has ended (its completion, not the state, says so: see Finish).</summary>
    public bool IsDone => _core.GetStatus(_core.Version) != ValueTaskSourceStatus.Pending;

    /// <summary>Completes when the send last started has ended; throws its failure.</summary>
    public ValueTask Completion => new(this, _core.Version);

    /// <summary>Sends <paramref name="length"/> bytes of <paramref name="buffer"/>, which stays the sender's until <see cref="Completion"/>.</summary>
    public void Start(PacketBuffer buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        _core.Reset();
        Volatile.Write(ref _state, Sending);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>
    /// The writer is being disposed. True when a send is still running: the sender then returns its buffer to
    /// the pool when the send ends, because the kernel may still be reading it.
    /// </summary>
    public bool Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Sending) == Sending;

    void IThreadPoolWorkItem.Execute()
    {
        try
        {
            _write = stream.WriteAsync(_buffer!.Array.AsMemory(0, _length));
        }
        catch (Exception e)
        {
            Finish(e);
            return;
        }
        if (_write.IsCompleted)
            OnWritten();
        else
            _write.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onWritten ??= OnWritten);
    }

    private void OnWritten()
    {
        Exception? error = null;
        try
        {
            _write.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            error = e;
        }
        _write = default;
        Finish(error);
    }

    private void Finish(Exception? error)
    {
        var buffer = _buffer;
        _buffer = null;
        // Before the completion is signalled: the writer may start the next send as soon as it sees it.
        if (Interlocked.Exchange(ref _state, Idle) == Abandoned)
            buffer!.Return();
        if (error is null)
            _core.SetResult(true);
        else
            _core.SetException(error is IOException ? new SshConnectionException($"Connection lost: {error.Message}", error) : error);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
