namespace Lucid.Cli.Keygen;

/// <summary>The user, host and default file names ssh-keygen derives from the account.</summary>
internal static class KeygenPaths
{
    // Like ssh-keygen, the account's passwd entry (not $HOME) decides the home directory and the name.
    private static readonly Lazy<Platform.UserAccount?> Account = new(() => OperatingSystem.IsWindows() ? null : Platform.Users.ByUid(Platform.Users.GetUid()));

    public static string Home => Account.Value?.Home ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static string UserAtHost => $"{Account.Value?.Name ?? Environment.UserName}@{System.Net.Dns.GetHostName()}";

    /// <summary>~/.ssh/id_&lt;type&gt;; without -t ssh-keygen 9.2 suggests id_rsa when asking for an existing key.</summary>
    public static string DefaultIdentity(string? keyTypeName)
    {
        string name = keyTypeName is null ? "id_rsa" : KeyTypeNames.Resolve(keyTypeName)?.FileName ?? "id_rsa";
        return Path.Combine(Home, ".ssh", name);
    }

    /// <summary>ssh-keygen's ask_filename(): prompt with the default, empty answer keeps it, end of input exits 1.</summary>
    public static string AskFilename(KeygenOptions o, KeygenConsole console, string prompt)
    {
        string fallback = DefaultIdentity(o.KeyType);
        string? answer = console.Ask($"{prompt} ({fallback}): ");
        if (answer is null)
            throw KeygenFatalException.Exit(1);
        return answer.Length == 0 ? fallback : answer;
    }

    /// <summary>The file named by -f, or the one the user types.</summary>
    public static string Identity(KeygenOptions o, KeygenConsole console) =>
        o.File ?? AskFilename(o, console, "Enter file in which the key is");

    /// <summary>
    /// The file named by -f (or asked for) and its text, "-" being standard input; a file that cannot be read is
    /// ssh-keygen's fatal error naming it.
    /// </summary>
    public static IdentityText ReadIdentityText(KeygenOptions o, KeygenConsole console)
    {
        string path = Identity(o, console);
        try
        {
            return new IdentityText(path, path == "-" ? console.ReadAllInput() : File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"ssh-keygen: {path}: {KeyFileAccess.Describe(e)}");
        }
    }
}

/// <summary>What an ssh-keygen operation read: the path as given ("-" for standard input) and the text.</summary>
internal sealed record IdentityText(string Path, string Text)
{
    public bool FromStdin => Path == "-";

    /// <summary>How ssh-keygen names the input in its output.</summary>
    public string Shown => FromStdin ? "(stdin)" : Path;
}
