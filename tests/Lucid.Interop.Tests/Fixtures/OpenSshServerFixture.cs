namespace Lucid.Interop.Tests.Fixtures;

/// <summary>
/// One default <see cref="OpenSshServer"/> shared by every test class that takes it as a class fixture
/// (IClassFixture&lt;OpenSshServerFixture&gt;) or joins the "OpenSSH sshd" collection. Tests needing their
/// own sshd_config lines start their own server with <see cref="OpenSshServer.StartAsync"/>.
/// </summary>
public sealed class OpenSshServerFixture : IAsyncLifetime
{
    private OpenSshServer? _server;

    public OpenSshServer Server => _server ?? throw new InvalidOperationException("the sshd fixture is not started");

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

/// <summary>Test classes marked [Collection(OpenSshCollection.Name)] share one sshd and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class OpenSshCollection : ICollectionFixture<OpenSshServerFixture>
{
    public const string Name = "OpenSSH sshd";
}
