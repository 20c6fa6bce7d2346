using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Platform;

/// <summary>
/// Asks the user something on the controlling terminal (/dev/tty), as OpenSSH's read_passphrase does:
/// the prompt goes to the terminal, the answer comes from it (echo off for secrets), so stdin and stdout
/// stay free for the session's data.
/// </summary>
internal static class TtyPrompt
{
    private const uint Echo = 0x8, EchoNl = 0x40;

    /// <summary>The line typed (without its newline), or null when there is no terminal to ask or it was closed.</summary>
    public static unsafe string? Ask(string prompt, bool echo)
    {
        var fd = Libc.open("/dev/tty", Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0)
            return null;
        Termios? saved = null;
        PosixSignalRegistration? interrupt = null;
        try
        {
            if (!echo && Libc.tcgetattr(fd, out var original) == 0)
            {
                saved = original;
                var quiet = original;
                quiet.LFlag &= ~(Echo | EchoNl);
                // ^C while echo is off must not leave the terminal silent; the handler restores it and
                // lets the signal end the process as usual.
                interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Libc.tcsetattr(fd, Libc.TCSAFLUSH, original));
                Libc.tcsetattr(fd, Libc.TCSAFLUSH, quiet);
            }
            Libc.WriteAll(fd, Encoding.UTF8.GetBytes(prompt));
            var line = new List<byte>();
            byte b;
            var gotAny = false;
            while (true)
            {
                var n = Libc.read(fd, &b, 1);
                if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                if (n <= 0)
                    break;
                gotAny = true;
                if (b is (byte)'\n' or (byte)'\r')
                    break;
                line.Add(b);
            }
            if (saved is not null)
                Libc.WriteAll(fd, "\n"u8);
            if (!gotAny)
                return null;
            var text = Encoding.UTF8.GetString([.. line]);
            CollectionsMarshalClear(line);
            return text;
        }
        finally
        {
            if (saved is { } s)
                Libc.tcsetattr(fd, Libc.TCSAFLUSH, s);
            interrupt?.Dispose();
            Libc.close(fd);
        }
    }

    /// <summary>Writes a message to the terminal (used for prompts' companions such as the host key warning).</summary>
    public static bool Say(string text)
    {
        var fd = Libc.open("/dev/tty", Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0)
            return false;
        try
        {
            return Libc.WriteAll(fd, Encoding.UTF8.GetBytes(text));
        }
        finally
        {
            Libc.close(fd);
        }
    }

    // The typed secret should not linger in the list's buffer longer than needed.
    private static void CollectionsMarshalClear(List<byte> list) =>
        CollectionsMarshal.AsSpan(list).Clear();
}
