using System.Security.Cryptography;

namespace Lucid.Interop.Tests.Sshd.OtherClients;

/// <summary>
/// A temporary directory for one test: converted key files, the client's own $HOME (so its known_hosts and saved
/// settings are the test's, not root's), and files moved over SFTP. World-writable, because the session on the
/// far side runs as <see cref="LucidSshd.TestUser"/>, not as the root running the tests.
/// </summary>
public sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lucid-clients-").FullName;
        Home = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory, "home")).FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Directory, (UnixFileMode)0b111_111_111);
    }

    public string Directory { get; }

    /// <summary>$HOME for the client process.</summary>
    public string Home { get; }

    public IDictionary<string, string> HomeEnvironment => new Dictionary<string, string> { ["HOME"] = Home };

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>Writes <paramref name="length"/> random bytes to a new file and returns its path.</summary>
    public string RandomFile(string name, int length)
    {
        var path = Path(name);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(length));
        return path;
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>The "type base64" part of a .pub file, as known_hosts lines want it.</summary>
    public static string PublicKey(string pubPath) => string.Join(' ', File.ReadAllText(pubPath).Split(' ', 3)[..2]);

    /// <summary>OpenSSH's SHA256:... fingerprint of a .pub file (base64 of the blob's SHA-256, no padding).</summary>
    public static string Fingerprint(string pubPath) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(File.ReadAllText(pubPath).Split(' ')[1]))).TrimEnd('=');

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
