using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Client;

/// <summary>
/// An sshd for session tests at LogLevel INFO: with the fixture's default DEBUG1 plus -e, sshd's session
/// child writes its debug lines into the session's stderr (and pty output), which would pollute what we assert.
/// </summary>
public sealed class QuietOpenSshServerFixture : IAsyncLifetime
{
    private OpenSshServer? _server;

    public OpenSshServer Server => _server ?? throw new InvalidOperationException("the sshd fixture is not started");

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync("LogLevel INFO", "AcceptEnv LUCID_*");

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
