namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// A temporary directory in which both `lucid ssh-keygen` and OpenSSH's /usr/bin/ssh-keygen run with
/// the same arguments, so their exit codes and output can be compared exactly.
/// </summary>
public sealed class KeygenSandbox : IDisposable
{
    public const string OpenSshKeygen = "/usr/bin/ssh-keygen";

    public KeygenSandbox()
    {
        Dir = Path.Combine(Path.GetTempPath(), "lucid-keygen-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string PathOf(string name) => Path.Combine(Dir, name);

    public Task<ProcessResult> Lucid(params string[] args) => LucidWithInput(null, args);

    public Task<ProcessResult> LucidWithInput(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(global::Lucid.Interop.Tests.Lucid.Executable, ["ssh-keygen", .. args], stdin, workingDirectory: Dir);

    public Task<ProcessResult> OpenSsh(params string[] args) => OpenSshWithInput(null, args);

    /// <summary>
    /// ssh-keygen run through setsid so it has no controlling terminal: then, like lucid, it reads
    /// passphrases from stdin instead of /dev/tty (and never hangs on a developer's terminal).
    /// </summary>
    public Task<ProcessResult> OpenSshWithInput(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync("/usr/bin/setsid", ["-w", OpenSshKeygen, .. args], stdin, workingDirectory: Dir);

    /// <summary>Runs both with the same arguments and asserts the same exit code, stdout and stderr.</summary>
    public async Task<ProcessResult> AssertSameAsOpenSsh(params string[] args) => await AssertSameAsOpenSshWithInput(null, args);

    public async Task<ProcessResult> AssertSameAsOpenSshWithInput(string? stdin, params string[] args)
    {
        var theirs = await OpenSshWithInput(stdin, args);
        var ours = await LucidWithInput(stdin, args);
        Assert.Equal(theirs.ToString(), ours.ToString());
        return ours;
    }

    /// <summary>Writes a file with the given mode (private keys must be 0600 to be read at all).</summary>
    public string Write(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string path = PathOf(name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
        return path;
    }

    public string Read(string name) => File.ReadAllText(PathOf(name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
