using System.Diagnostics;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>Runs the real OpenSSH ssh-keygen in a private temporary directory.</summary>
internal sealed class SshKeygen : IDisposable
{
    public SshKeygen()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lucid-keys-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Runs ssh-keygen with the arguments; returns exit code, stdout, stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWithInput(null, args);

    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("ssh-keygen")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // No agent or terminal: ssh-keygen must never prompt.
        psi.Environment.Remove("SSH_AUTH_SOCK");
        psi.Environment["DISPLAY"] = "";
        using var process = Process.Start(psi)!;
        if (stdin is not null)
            process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Generates a key with ssh-keygen; returns the private key path.</summary>
    public string Generate(string name, string type, int bits = 0, string passphrase = "", string? format = null, string comment = "test@lucid")
    {
        var path = PathOf(name);
        var args = new List<string> { "-q", "-t", type, "-f", path, "-N", passphrase, "-C", comment };
        if (bits != 0)
            args.AddRange(["-b", bits.ToString()]);
        if (format is not null)
            args.AddRange(["-m", format]);
        var (code, _, err) = Run([.. args]);
        Assert.True(code == 0, $"ssh-keygen failed: {err}");
        return path;
    }

    /// <summary>The public key line ssh-keygen -y derives from a private key file (without comment).</summary>
    public static string PublicOf(string path, string passphrase = "")
    {
        var (code, stdout, err) = Run("-y", "-P", passphrase, "-f", path);
        Assert.True(code == 0, $"ssh-keygen -y failed: {err}");
        var parts = stdout.Trim().Split(' ');
        return parts[0] + " " + parts[1];
    }

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
