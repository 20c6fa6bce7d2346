using System.Diagnostics;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Client;

namespace Lucid.Interop.Tests.Client;

/// <summary>Connects our SshClient to a fixture sshd, trusting exactly the host keys the fixture generated.</summary>
internal static class ClientInterop
{
    public static SshClientOptions Options(OpenSshServer server, string? keyType = "ed25519")
    {
        var trusted = File.ReadAllLines(server.KnownHostsPath).Select(l => l.Split(' ')[2]).ToHashSet();
        var options = new SshClientOptions
        {
            User = server.User,
            HostKeyVerifier = (context, _) => ValueTask.FromResult(trusted.Contains(Convert.ToBase64String(context.HostKey.Blob.Span))),
        };
        if (keyType is not null)
            options.IdentityFiles.Add(server.ClientKeyPath(keyType));
        return options;
    }

    public static Task<SshClient> ConnectAsync(OpenSshServer server, SshClientOptions options, CancellationToken ct = default) =>
        SshClient.ConnectAsync(server.Host, server.Port, options, ct);

    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}

/// <summary>
/// A local account with a password for password / keyboard-interactive tests (tests run as root here and in CI).
/// Created once per run and idempotently: an existing account just gets its password set again.
/// </summary>
internal static class TestUser
{
    public const string Name = "lucidclient";
    public const string Password = "Lucid-client-pw1";

    private static readonly Lazy<Task> Created = new(CreateAsync);

    public static Task EnsureAsync() => Created.Value;

    private static async Task CreateAsync()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("password tests create a local user and must run as root");
        // Other test classes create their users at the same time, and useradd/chpasswd lock /etc/passwd and
        // /etc/shadow: a busy lock is retried, not a failure.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if ((await ProcessRunner.RunAsync("id", ["-u", Name])).ExitCode != 0)
                {
                    var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/sh", Name]);
                    if (add.ExitCode != 0 && (await ProcessRunner.RunAsync("id", ["-u", Name])).ExitCode != 0)
                        throw new InvalidOperationException($"useradd failed: {add}");
                }
                var chpasswd = await ProcessRunner.RunAsync("chpasswd", [], stdin: $"{Name}:{Password}\n");
                if (chpasswd.ExitCode != 0)
                    throw new InvalidOperationException($"chpasswd failed: {chpasswd}");
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                await Task.Delay(200 * attempt);
            }
        }
    }

    /// <summary>
    /// The fixture's authorized_keys lives in a private temp directory the test user cannot read, so chained
    /// publickey tests point AuthorizedKeysFile at a world-readable copy.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string ReadableAuthorizedKeys(OpenSshServer server)
    {
        // Every fixture server authorizes the same client keys, so one copy per test run serves them all.
        lock (ReadableKeysLock)
            return s_readableKeys ??= CopyReadable(server);
    }

    private static readonly Lock ReadableKeysLock = new();
    private static string? s_readableKeys;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyReadable(OpenSshServer server)
    {
        var directory = Directory.CreateTempSubdirectory("lucid-authkeys-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        var path = Path.Combine(directory, "authorized_keys");
        File.Copy(server.AuthorizedKeysPath, path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));
        return path;
    }
}
