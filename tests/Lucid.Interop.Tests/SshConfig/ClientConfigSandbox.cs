using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// A private directory for client configuration tests: ssh_config files written there, a HOME for runs that
/// read ~/.ssh/config, and runs of `lucid ssh` and OpenSSH's `ssh` with the same arguments and environment.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientConfigSandbox : IDisposable
{
    public ClientConfigSandbox(OpenSshServer server)
    {
        Server = server;
        Directory = System.IO.Directory.CreateTempSubdirectory("lucid-cfg-").FullName;
        Home = Path.Combine(Directory, "home");
        System.IO.Directory.CreateDirectory(Path.Combine(Home, ".ssh"));
    }

    public OpenSshServer Server { get; }
    public string Directory { get; }
    public string Home { get; }

    /// <summary>"Host *" settings every test shares: who to log in as, with which key, trusting the server's
    /// known_hosts and nothing else, never asking. Written last, so a test's own blocks come first and win.</summary>
    public string Defaults => $"""
        Host *
          User {Server.User}
          IdentityFile {Server.ClientKeyPath("ed25519")}
          IdentitiesOnly yes
          UserKnownHostsFile {Server.KnownHostsPath}
          GlobalKnownHostsFile /dev/null
          StrictHostKeyChecking yes
          BatchMode yes

        """;

    /// <summary>Writes <paramref name="text"/> (then <see cref="Defaults"/> unless told not to) to a file in the sandbox.</summary>
    public string Write(string name, string text, bool withDefaults = true)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + (withDefaults ? "\n" + Defaults : ""));
        return path;
    }

    /// <summary>Writes ~/.ssh/config under <see cref="Home"/> (mode 600, as ssh requires of it).</summary>
    public string WriteUserConfig(string text, bool withDefaults = true)
    {
        var path = Path.Combine(Home, ".ssh", "config");
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + (withDefaults ? "\n" + Defaults : ""));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Copies one of the server's client keys into the sandbox (mode 600) under another name.</summary>
    public string CopyClientKey(string keyType, string path)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Server.ClientKeyPath(keyType), path, overwrite: true);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public Task<ProcessResult> LucidAsync(IDictionary<string, string>? environment, params string[] args) =>
        ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. args], environment: environment);

    public Task<ProcessResult> LucidAsync(params string[] args) => LucidAsync(null, args);

    public Task<ProcessResult> OpenSshAsync(IDictionary<string, string>? environment, params string[] args) =>
        ProcessRunner.RunAsync("ssh", args, environment: environment);

    public Task<ProcessResult> OpenSshAsync(params string[] args) => OpenSshAsync(null, args);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
