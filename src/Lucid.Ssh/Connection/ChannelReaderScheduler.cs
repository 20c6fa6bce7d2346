using System.IO.Pipelines;

namespace Lucid.Ssh.Connection;

/// <summary>
/// Where a channel's input readers resume: on the thread pool (as PipeScheduler.ThreadPool), or, once switched
/// inline, on the thread that delivered the data, the connection's read loop. The switch can come after the
/// channel is open: a server learns only with the exec or shell request whether the reader can keep up
/// without blocking (writing to a pipe asynchronously) or may block (a terminal).
/// </summary>
internal sealed class ChannelReaderScheduler(bool inline) : PipeScheduler
{
    private volatile bool _inline = inline;

    public void ResumeInline() => _inline = true;

    /// <summary>True once readers resume on the thread that delivered the data (the read loop).</summary>
    public bool IsInline => _inline;

    public override void Schedule(Action<object?> action, object? state)
    {
        if (_inline)
            action(state);
        else
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(action, state, preferLocal: false);
    }
}
