using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>Calls back on SIGWINCH (the terminal was resized) until disposed.</summary>
internal sealed class WindowChange : IDisposable
{
    private readonly PosixSignalRegistration? _registration;

    public WindowChange(Action onResize)
    {
        if (OperatingSystem.IsWindows())
            return;
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            // The handler runs on the runtime's signal thread; the callback only queues work.
            onResize();
        });
    }

    public void Dispose() => _registration?.Dispose();
}
