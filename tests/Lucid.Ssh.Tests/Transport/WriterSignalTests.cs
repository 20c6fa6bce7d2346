using System.Threading.Channels;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>The write loop's wake-up: signals are not lost, runHere resumes the loop on the signalling thread.</summary>
public sealed class WriterSignalTests
{
    [Fact]
    public async Task A_signal_while_the_loop_runs_makes_its_next_wait_complete_at_once()
    {
        var signal = new WriterSignal();
        signal.Signal();
        Assert.True(signal.WaitAsync().IsCompletedSuccessfully);
        var next = signal.WaitAsync();
        Assert.False(next.IsCompleted);
        signal.Signal();
        await next.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task With_runHere_the_waiting_loop_resumes_inside_the_signallers_call()
    {
        var signal = new WriterSignal();
        int? resumedOn = null;
        var loop = Task.Run(async () =>
        {
            await signal.WaitAsync();
            resumedOn = Environment.CurrentManagedThreadId;
        });
        await WaitUntilWaitingAsync(signal);
        int signaller = -1;
        var thread = new Thread(() =>
        {
            signaller = Environment.CurrentManagedThreadId;
            signal.Signal(runHere: true);
            // Inline: the loop's continuation has already run by the time Signal returns.
            Assert.Equal(signaller, resumedOn);
        });
        thread.Start();
        thread.Join();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(signaller, resumedOn);
    }

    [Fact]
    public async Task Without_runHere_the_loop_resumes_elsewhere()
    {
        var signal = new WriterSignal();
        int? resumedOn = null;
        var loop = Task.Run(async () =>
        {
            await signal.WaitAsync();
            resumedOn = Environment.CurrentManagedThreadId;
        });
        await WaitUntilWaitingAsync(signal);
        int signaller = -1;
        var thread = new Thread(() =>
        {
            signaller = Environment.CurrentManagedThreadId;
            signal.Signal();
        });
        thread.Start();
        thread.Join();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(signaller, resumedOn);
    }

    [Fact]
    public async Task Close_ends_a_waiting_loop_and_every_later_wait()
    {
        var signal = new WriterSignal();
        var waiting = signal.WaitAsync().AsTask();
        signal.Close();
        await Assert.ThrowsAsync<ChannelClosedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ChannelClosedException>(() => signal.WaitAsync().AsTask());
        signal.Signal(); // after close: ignored, no throw
    }

    // The loop publishes its wait from a pool thread; a signal before that would only be remembered.
    private static async Task WaitUntilWaitingAsync(WriterSignal signal)
    {
        for (int i = 0; i < 2000 && !signal.IsWaiting; i++)
            await Task.Delay(5);
        Assert.True(signal.IsWaiting);
    }
}
