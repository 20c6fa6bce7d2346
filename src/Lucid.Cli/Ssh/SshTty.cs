using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>Whether ssh asks the server for a pseudo-terminal: RequestTTY (-t, -T), the command, SessionType and stdin.</summary>
internal static class SshTty
{
    public const string Notice = "Pseudo-terminal will not be allocated because stdin is not a terminal.";

    /// <summary>What the configuration asks for, before stdin is looked at (ssh.c's tty_flag).</summary>
    public static bool Requested(EffectiveSshConfig c, bool hasCommand)
    {
        var tty = c.RequestTty is SshRequestTty.Yes or SshRequestTty.Force;
        if (!hasCommand && c.RemoteCommand is null)
            tty = c.RequestTty != SshRequestTty.No;
        if (c.RequestTty == SshRequestTty.No || c.SessionType == "none")
            tty = false;
        return tty;
    }

    /// <summary>True when stdin is no terminal (or -n) and nothing forces one anyway.</summary>
    public static bool StdinForbids(EffectiveSshConfig c) =>
        (!Terminal.IsTerminal(Libc.STDIN_FILENO) || c.StdinNull) && c.RequestTty != SshRequestTty.Force;
}
