namespace Lucid.Ssh.OpenSsh;

/// <summary>One message OpenSSH's ssh would log while reading configuration: <see cref="Level"/> 0 is an error
/// (always shown), 1 to 3 are debug1..debug3 (shown with -v, -vv, -vvv).</summary>
public readonly record struct SshConfigMessage(int Level, string Text);

/// <summary>The messages of one resolution, in the order OpenSSH prints them.</summary>
internal sealed class SshConfigLog
{
    public List<SshConfigMessage> Entries { get; } = [];

    public List<string> Errors => Entries.Where(e => e.Level == 0).Select(e => e.Text).ToList();

    public void Error(string text) => Entries.Add(new SshConfigMessage(0, text));

    public void Debug(int level, string text) => Entries.Add(new SshConfigMessage(level, text));

    /// <summary>The exception for a fatal problem: every error so far, then <paramref name="text"/>.</summary>
    public SshConfigException Fatal(string text)
    {
        Error(text);
        return new SshConfigException(Errors, Entries.ToList());
    }

    /// <summary>Re-raises an expansion failure with everything logged before it.</summary>
    public SshConfigException Rethrow(SshConfigException e)
    {
        foreach (var line in e.Lines.SkipLast(1))
            Error(line);
        return Fatal(e.Lines[^1]);
    }

    /// <summary>The exception for a failure already logged.</summary>
    public SshConfigException Failed() => new(Errors, Entries.ToList());
}
