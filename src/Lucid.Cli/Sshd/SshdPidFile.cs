using System.Globalization;

namespace Lucid.Cli.Sshd;

/// <summary>
/// PidFile as sshd keeps it: the pid and a newline, written once the sockets listen (again after each SIGHUP, which
/// scripts such as OpenSSH's regress suite wait for), removed when a signal stops the server. Not with -d or -i,
/// nor for "none"; `lucid sshd` with no -f writes one only when PidFile is given with -o (it must not overwrite the
/// system sshd's /run/sshd.pid).
/// </summary>
internal sealed class SshdPidFile
{
    private readonly string _path;

    private SshdPidFile(string path) => _path = path;

    /// <summary>The configured file, or null when there is none to keep.</summary>
    public static SshdPidFile? For(Lucid.Ssh.OpenSsh.SshdConfig config, SshdArguments arguments)
    {
        if (arguments.Debug || arguments.Inetd)
            return null;
        if (arguments.ConfigFile is null && config.Raw("pidfile") is null)
            return null;
        var path = config.PidFile;
        return path == "none" ? null : new SshdPidFile(Path.GetFullPath(path));
    }

    /// <summary>Writes the file; sshd's error (and carrying on) when it cannot.</summary>
    public void Write(SshdLogger logger)
    {
        try
        {
            File.WriteAllText(_path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.Write(2, $"Couldn't create pid file \"{_path}\": {e.Message}");
        }
    }

    public void Remove()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // sshd ignores unlink's result too.
        }
    }
}
