using System.Diagnostics;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// LocalCommand with PermitLocalCommand yes: once the connection is up and the session asked for, ssh runs
/// the command through $SHELL -c on this machine, with ssh's own stdin, stdout and stderr, and waits for it;
/// its exit status does not matter (OpenSSH's ssh_local_cmd).
/// </summary>
internal static class LocalCommand
{
    public static void RunIfPermitted(EffectiveSshConfig config, SshLog log)
    {
        if (!config.PermitLocalCommand || config.ExpandedLocalCommand() is not { Length: > 0 } command)
            return;
        var shell = Environment.GetEnvironmentVariable("SHELL") is { Length: > 0 } s ? s : "/bin/sh";
        log.Debug3($"Executing {shell} -c \"{command}\"");
        var info = new ProcessStartInfo(shell) { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        try
        {
            using var process = Process.Start(info);
            process?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.Error($"Couldn't execute {shell} -c \"{command}\": {e.Message}");
        }
    }
}
