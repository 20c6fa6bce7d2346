using System.Security.Cryptography;
using System.Text;

namespace Lucid.Cli.Agent;

/// <summary>
/// Where ssh-agent puts its socket, as OpenSSH 10.5 does: by default ~/.ssh/agent/s.HOSTHASH.agent.RANDOM (both
/// directories made 0700 when missing); with -T a new private directory $TMPDIR/ssh-XXXXXXXXXXXX (mkdtemp, 0700)
/// holding agent.PID, which OpenSSH 9 and earlier used by default; with -a the path given. The socket itself is
/// created 0600 (umask 0177 around the bind).
/// </summary>
internal sealed record AgentSocketPlace(string Path, string? PrivateDirectory)
{
    private const string PresentationChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static AgentSocketPlace Given(string path) => new(path, null);

    public static AgentSocketPlace InTempDirectory(int pid)
    {
        var tmp = Environment.GetEnvironmentVariable("TMPDIR");
        var template = (string.IsNullOrEmpty(tmp) ? "/tmp" : tmp) + "/ssh-XXXXXXXXXXXX";
        var directory = AgentNative.MakeTempDirectory(template);
        return new AgentSocketPlace($"{directory}/agent.{pid}", directory);
    }

    public static AgentSocketPlace InHome(string home)
    {
        var ssh = System.IO.Path.Combine(home, ".ssh");
        var agentDirectory = System.IO.Path.Combine(ssh, "agent");
        foreach (var directory in new[] { ssh, agentDirectory })
        {
            if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return new AgentSocketPlace($"{agentDirectory}/s.{HostNameHash()}.agent.{Random(10)}", null);
    }

    /// <summary>The first ten characters of the host name's SHA-512 in OpenSSH's presentation alphabet.</summary>
    private static string HostNameHash()
    {
        var hash = SHA512.HashData(Encoding.UTF8.GetBytes(AgentNative.HostName()));
        var text = new StringBuilder(10);
        for (int i = 0; i < 10; i++)
            text.Append(PresentationChars[hash[i] % PresentationChars.Length]);
        return text.ToString();
    }

    private static string Random(int length) =>
        string.Create(length, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = PresentationChars[RandomNumberGenerator.GetInt32(PresentationChars.Length)];
        });

    /// <summary>Removes the socket and, for -T, its directory (OpenSSH's cleanup_socket).</summary>
    public void Remove()
    {
        try
        {
            File.Delete(Path);
            if (PrivateDirectory is not null)
                Directory.Delete(PrivateDirectory);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
