namespace Lucid.Ssh.Keys;

/// <summary>
/// A private key file others can read or write: OpenSSH ignores such keys, and so does Lucid.
/// <see cref="Exception.Message"/> is OpenSSH's short reason ("bad permissions"); <see cref="WarningLines"/>
/// is the block OpenSSH prints before it, word for word.
/// </summary>
public sealed class SshKeyPermissionException : SshException
{
    public SshKeyPermissionException(string fileName, int mode)
        : base("bad permissions")
    {
        FileName = fileName;
        Mode = mode;
        WarningLines =
        [
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
            "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @",
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
            $"Permissions 0{Convert.ToString(mode & 0x1ff, 8).PadLeft(3, '0')} for '{fileName}' are too open.",
            "It is required that your private key files are NOT accessible by others.",
            "This private key will be ignored.",
        ];
    }

    public string FileName { get; }

    /// <summary>The file's permission bits (e.g. 0644 octal = 420).</summary>
    public int Mode { get; }

    /// <summary>OpenSSH's warning, one line per element, without trailing newlines.</summary>
    public IReadOnlyList<string> WarningLines { get; }

    /// <summary>The warning as OpenSSH prints it: each line ending in a newline.</summary>
    public string Warning => string.Concat(WarningLines.Select(l => l + "\n"));
}
