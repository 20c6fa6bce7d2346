using System.Runtime.InteropServices;
using Lucid.Ssh.Connection;

namespace Lucid.Cli.Platform;

/// <summary>
/// Pseudo-terminals for sessions: posix_openpt, grantpt, unlockpt, ptsname_r; the size (TIOCSWINSZ) and the
/// client's terminal modes applied to the slave before the shell starts.
/// </summary>
internal static unsafe partial class Pty
{
    private const int O_NOCTTY = 0x100;
    private const uint TIOCSWINSZ = 0x5414;

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r")]
    private static partial int PtsNameR(int fd, byte* buf, nuint len);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    /// <summary>A second descriptor for the same terminal (close-on-exec), so reads and writes use separate streams.</summary>
    public static int Duplicate(int fd)
    {
        const int F_DUPFD_CLOEXEC = 1030;
        var copy = Fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0)
            throw new IOException($"dup: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return copy;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, uint request, void* arg);

    /// <summary>The terminal's foreground process group (TIOCGPGRP works on the master too); 0 when there is none.</summary>
    public static int ForegroundGroup(int master)
    {
        const uint TIOCGPGRP = 0x540F;
        int group = 0;
        return Ioctl(master, TIOCGPGRP, &group) == 0 ? group : 0;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, Termios* t);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int action, Termios* t);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chmod(string path, uint mode);

    [StructLayout(LayoutKind.Sequential)]
    private struct Termios
    {
        public uint Iflag, Oflag, Cflag, Lflag;
        public byte Line;
        public fixed byte Cc[32];
        public uint Ispeed, Ospeed;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows, Cols, XPixel, YPixel;
    }

    /// <summary>A new terminal: the master descriptor (close-on-exec) and the slave's path.</summary>
    public static (int Master, string SlavePath) Open()
    {
        var master = PosixOpenpt(O_RDWR_CLOEXEC | O_NOCTTY);
        if (master < 0)
            throw new IOException($"openpty: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        byte* name = stackalloc byte[128];
        if (GrantPt(master) != 0 || UnlockPt(master) != 0 || PtsNameR(master, name, 128) != 0)
        {
            Spawn.Close(master);
            throw new IOException($"openpty: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        return (master, Marshal.PtrToStringUTF8((nint)name)!);
    }

    private const int O_RDWR_CLOEXEC = Spawn.O_RDWR | Spawn.O_CLOEXEC;

    /// <summary>Gives the terminal to the user (owner, mode 0620) as login programs do.</summary>
    public static void GiveTo(string slavePath, uint uid, uint gid)
    {
        Chown(slavePath, uid, gid);
        Chmod(slavePath, 0b110_010_000);
    }

    public static void Resize(int fd, SshWindowSize size)
    {
        var ws = new WinSize
        {
            Rows = (ushort)Math.Min(size.Rows, ushort.MaxValue),
            Cols = (ushort)Math.Min(size.Columns, ushort.MaxValue),
            XPixel = (ushort)Math.Min(size.WidthPixels, ushort.MaxValue),
            YPixel = (ushort)Math.Min(size.HeightPixels, ushort.MaxValue),
        };
        Ioctl(fd, TIOCSWINSZ, &ws);
    }

    /// <summary>Applies the pty-req modes (RFC 4254 section 8) that Linux has to the slave side.</summary>
    public static void ApplyModes(string slavePath, SshTerminalModes modes)
    {
        var fd = Open(slavePath, Spawn.O_RDWR | O_NOCTTY | Spawn.O_CLOEXEC);
        if (fd < 0)
            return;
        try
        {
            Termios t;
            if (TcGetAttr(fd, &t) != 0)
                return;
            foreach (var (opcode, value) in modes.Modes)
                Apply(ref t, opcode, value);
            TcSetAttr(fd, 0, &t);
        }
        finally
        {
            Spawn.Close(fd);
        }
    }

    // Linux termios bits and c_cc indexes for the opcodes of RFC 4254 section 8.
    private static readonly Dictionary<byte, int> ControlChars = new()
    {
        [SshTerminalModes.VINTR] = 0, [SshTerminalModes.VQUIT] = 1, [SshTerminalModes.VERASE] = 2, [SshTerminalModes.VKILL] = 3,
        [SshTerminalModes.VEOF] = 4, [SshTerminalModes.VEOL] = 11, [SshTerminalModes.VEOL2] = 16, [SshTerminalModes.VSTART] = 8,
        [SshTerminalModes.VSTOP] = 9,
    };

    private static readonly Dictionary<byte, (int Field, uint Bit)> Flags = new()
    {
        [SshTerminalModes.IGNPAR] = (0, 0x4), [SshTerminalModes.PARMRK] = (0, 0x8), [SshTerminalModes.INPCK] = (0, 0x10),
        [SshTerminalModes.ISTRIP] = (0, 0x20), [SshTerminalModes.INLCR] = (0, 0x40), [SshTerminalModes.IGNCR] = (0, 0x80),
        [SshTerminalModes.ICRNL] = (0, 0x100), [SshTerminalModes.IUCLC] = (0, 0x200),
        [SshTerminalModes.ISIG] = (3, 0x1), [SshTerminalModes.ICANON] = (3, 0x2), [SshTerminalModes.ECHO] = (3, 0x8),
        [SshTerminalModes.ECHOE] = (3, 0x10), [SshTerminalModes.ECHOK] = (3, 0x20), [SshTerminalModes.ECHONL] = (3, 0x40),
        [SshTerminalModes.NOFLSH] = (3, 0x80),
        [SshTerminalModes.OPOST] = (1, 0x1), [SshTerminalModes.OLCUC] = (1, 0x2), [SshTerminalModes.ONLCR] = (1, 0x4),
        [SshTerminalModes.OCRNL] = (1, 0x8), [SshTerminalModes.ONOCR] = (1, 0x10), [SshTerminalModes.ONLRET] = (1, 0x20),
        [SshTerminalModes.CS7] = (2, 0x20), [SshTerminalModes.CS8] = (2, 0x30), [SshTerminalModes.PARENB] = (2, 0x100),
        [SshTerminalModes.PARODD] = (2, 0x200),
    };

    private static void Apply(ref Termios t, byte opcode, uint value)
    {
        if (ControlChars.TryGetValue(opcode, out var index))
        {
            t.Cc[index] = value == 255 ? (byte)0 : (byte)value;
            return;
        }
        if (!Flags.TryGetValue(opcode, out var flag))
            return;
        ref uint field = ref t.Iflag;
        switch (flag.Field)
        {
            case 1: field = ref t.Oflag; break;
            case 2: field = ref t.Cflag; break;
            case 3: field = ref t.Lflag; break;
        }
        if (value != 0)
            field |= flag.Bit;
        else
            field &= ~flag.Bit;
    }
}
