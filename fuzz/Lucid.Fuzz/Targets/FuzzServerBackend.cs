using Lucid.Ssh;
using Lucid.Ssh.Server;

namespace Lucid.Fuzz.Targets;

/// <summary>
/// The server's view of the system for the harnesses: one user "fuzz" (and root) whose authorized_keys holds the
/// keys the corpus was recorded with; the password "fuzz-password"; no program is ever started.
/// </summary>
internal sealed class FuzzServerBackend : ISshServerBackend
{
    public const string Password = "fuzz-password";

    private readonly string _authorizedKeys;

    public FuzzServerBackend(string authorizedKeys) => _authorizedKeys = authorizedKeys;

    public SshServerUser? FindUser(string name) => name switch
    {
        "fuzz" => new SshServerUser("fuzz", 1000, 1000, "/nonexistent/fuzz", "/bin/sh", ["fuzz"]),
        "root" => new SshServerUser("root", 0, 0, "/root", "/bin/sh", ["root"]),
        _ => null,
    };

    public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log) =>
        path.EndsWith("authorized_keys", StringComparison.Ordinal) ? _authorizedKeys : null;

    public bool PasswordsSupported => true;

    public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken) =>
        ValueTask.FromResult(password == Password);

    public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken) =>
        ValueTask.FromException<ISshServerProcess>(new SshException("the fuzz harness starts no programs"));
}
