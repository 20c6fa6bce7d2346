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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_runHere_the_waiting_loop_resumes_inside_the_signallers_call_and_only_then(bool runHere)
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
        int? resumedWhenSignalReturned = null;
        var thread = new Thread(() =>
        {
            signaller = Environment.CurrentManagedThreadId;
            signal.Signal(runHere);
            resumedWhenSignalReturned = resumedOn;
        });
        thread.Start();
        thread.Join();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));

        if (runHere)
        {
            Assert.Equal(signaller, resumedWhenSignalReturned); // ran inside Signal, on its thread
            Assert.Equal(signaller, resumedOn);
        }
        else
        {
            Assert.NotEqual(signaller, resumedOn); // a pool thread was woken for it
        }
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
