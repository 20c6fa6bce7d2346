using System.Diagnostics;

namespace Lucid.Cli.Platform;

/// <summary>
/// OpenSSH's rule for when a passphrase comes from the SSH_ASKPASS program rather than the terminal or
/// stdin (readpass.c read_passphrase), and running that program (ssh_askpass). The program gets the prompt
/// as its only argument and prints the answer on stdout; a non-zero exit means "no answer".
/// </summary>
internal static class Askpass
{
    /// <summary>Where OpenSSH looks when SSH_ASKPASS is unset (Debian's ssh-askpass alternatives link).</summary>
    public const string DefaultProgram = "/usr/bin/ssh-askpass";

    /// <summary>
    /// The askpass program to run for a passphrase that may also be read from stdin (read_passphrase with
    /// RP_ALLOW_STDIN, as ssh-keygen asks), or null to read it from the terminal or stdin as usual.
    /// SSH_ASKPASS_REQUIRE=force always asks the program; otherwise a stdin that is not a terminal turns
    /// to the program when a display is there to show it (DISPLAY or WAYLAND_DISPLAY), or with
    /// SSH_ASKPASS_REQUIRE=prefer; =never never does.
    /// </summary>
    public static string? ForStdinPrompt(bool stdinIsTerminal, Func<string, string?> environment)
    {
        static bool Set(string? value) => !string.IsNullOrEmpty(value);
        var allow = Set(environment("DISPLAY")) || Set(environment("WAYLAND_DISPLAY"));
        var use = false;
        switch (environment("SSH_ASKPASS_REQUIRE")?.ToLowerInvariant())
        {
            case "force":
                use = allow = true;
                break;
            case "prefer":
                use = allow;
                break;
            case "never":
                allow = false;
                break;
        }
        if (!use && !stdinIsTerminal)
            use = true;
        if (!(use && allow))
            return null;
        var program = environment("SSH_ASKPASS");
        return Set(program) ? program : DefaultProgram;
    }

    /// <summary>Runs the program with the prompt; its first line of output, or null when it failed or could not run.</summary>
    public static string? Run(string program, string prompt, Action<string> error, string? hint = null)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        info.ArgumentList.Add(prompt);
        if (hint is not null)
            info.Environment["SSH_ASKPASS_PROMPT"] = hint;
        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error($"ssh_askpass: exec({program}): {e.Message}");
            return null;
        }
        if (process is null)
            return null;
        using (process)
        {
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                return null;
            var end = output.AsSpan().IndexOfAny('\r', '\n');
            return end < 0 ? output : output[..end];
        }
    }
}
