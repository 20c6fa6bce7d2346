using System.Text;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;

namespace Lucid.Fuzz.Recording;

/// <summary>
/// The recorder's stand-in for a session's program: prints a line to stdout (and stderr without a terminal),
/// swallows its input and exits 0 once its input ends or after half a second, whichever comes first.
/// </summary>
internal sealed class FakeProcess : ISshServerProcess
{
    private readonly TaskCompletionSource<SshExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeProcess(SshServerProcessStart start)
    {
        Output = new MemoryStream(Encoding.ASCII.GetBytes($"output of {start.Command ?? "a shell"}\n"));
        ErrorOutput = start.Pty is null ? new MemoryStream("a line on stderr\n"u8.ToArray()) : null;
        _ = Task.Delay(500).ContinueWith(_ => _exited.TrySetResult(new SshExitStatus(0, null)), TaskScheduler.Default);
    }

    public Stream Input { get; } = Stream.Null;
    public Stream Output { get; }
    public Stream? ErrorOutput { get; }
    public void CloseInput() => _exited.TrySetResult(new SshExitStatus(0, null));
    public void ResizeTerminal(SshWindowSize size) { }
    public bool Signal(string name) => true;
    public Task<SshExitStatus> Exited => _exited.Task;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The recorder's server backend: the fuzz harness' users and keys, and <see cref="FakeProcess"/> for programs.</summary>
internal sealed class RecordingBackend(string authorizedKeys) : ISshServerBackend
{
    private readonly Targets.FuzzServerBackend _users = new(authorizedKeys);

    public SshServerUser? FindUser(string name) => _users.FindUser(name);
    public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log) =>
        _users.ReadAuthorizedKeys(user, path, strictModes, log);
    public bool PasswordsSupported => true;
    public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken) =>
        _users.CheckPasswordAsync(user, password, remoteAddress, cancellationToken);
    public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ISshServerProcess>(new FakeProcess(start));
}
