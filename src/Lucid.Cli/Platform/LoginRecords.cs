using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Platform;

/// <summary>
/// The login records sshd keeps for a session with a terminal (OpenSSH's loginrec.c): a USER_PROCESS entry in utmp
/// (who, w) and wtmp (last) at login, a DEAD_PROCESS entry for the same line at logout, and the user's lastlog
/// record (lastlog). glibc's pututline and updwtmp write them; files that do not exist (no /run/utmp in a container)
/// are skipped, as sshd does.
/// </summary>
internal static unsafe partial class LoginRecords
{
    private const short USER_PROCESS = 7, DEAD_PROCESS = 8;
    private const string WtmpPath = "/var/log/wtmp";
    private const string LastlogPath = "/var/log/lastlog";
    private const int LastlogRecordSize = 4 + 32 + 256;

    /// <summary>glibc's struct utmp on Linux (x86-64 and arm64 alike: 32-bit times), 384 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 384)]
    private struct Utmp
    {
        [FieldOffset(0)] public short Type;
        [FieldOffset(4)] public int Pid;
        [FieldOffset(8)] public fixed byte Line[32];
        [FieldOffset(40)] public fixed byte Id[4];
        [FieldOffset(44)] public fixed byte User[32];
        [FieldOffset(76)] public fixed byte Host[256];
        [FieldOffset(340)] public int Seconds;
        [FieldOffset(344)] public int Microseconds;
        [FieldOffset(348)] public fixed int Address[4];
    }

    [LibraryImport("libc", EntryPoint = "setutent")]
    private static partial void SetUtEnt();

    [LibraryImport("libc", EntryPoint = "pututline")]
    private static partial void* PutUtLine(Utmp* entry);

    [LibraryImport("libc", EntryPoint = "endutent")]
    private static partial void EndUtEnt();

    [LibraryImport("libc", EntryPoint = "updwtmp", StringMarshalling = StringMarshalling.Utf8)]
    private static partial void UpdWtmp(string file, Utmp* entry);

    private static readonly Lock Gate = new();

    /// <summary>Records a login of <paramref name="user"/> on <paramref name="tty"/> (/dev/pts/N) by process <paramref name="pid"/>.</summary>
    public static void Login(string user, uint uid, string tty, int pid, string remoteHost)
    {
        var entry = Entry(USER_PROCESS, tty, pid, user, remoteHost);
        Write(&entry);
        WriteLastlog(uid, Line(tty), remoteHost, entry.Seconds);
    }

    /// <summary>Records the end of the login on <paramref name="tty"/>.</summary>
    public static void Logout(string tty, int pid)
    {
        var entry = Entry(DEAD_PROCESS, tty, pid, "", "");
        Write(&entry);
    }

    private static void Write(Utmp* entry)
    {
        lock (Gate)
        {
            SetUtEnt();
            PutUtLine(entry);
            EndUtEnt();
            if (File.Exists(WtmpPath))
                UpdWtmp(WtmpPath, entry);
        }
    }

    private static string Line(string tty) => tty.StartsWith("/dev/", StringComparison.Ordinal) ? tty[5..] : tty;

    private static Utmp Entry(short type, string tty, int pid, string user, string host)
    {
        var line = Line(tty);
        var entry = new Utmp { Type = type, Pid = pid };
        Copy(line, entry.Line, 32);
        // ut_id: the line's last four characters ("ts/3" for pts/3), as sshd and login(1) make it.
        Copy(line.Length > 4 ? line[^4..] : line, entry.Id, 4);
        Copy(user, entry.User, 32);
        Copy(host, entry.Host, 256);
        var now = DateTimeOffset.UtcNow;
        entry.Seconds = (int)now.ToUnixTimeSeconds();
        entry.Microseconds = now.Millisecond * 1000;
        if (IPAddress.TryParse(host, out var address))
        {
            var bytes = address.GetAddressBytes();
            fixed (byte* source = bytes)
                Buffer.MemoryCopy(source, entry.Address, 16, bytes.Length);
        }
        return entry;
    }

    private static void Copy(string text, byte* target, int size)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var n = Math.Min(bytes.Length, size);
        for (var i = 0; i < n; i++)
            target[i] = bytes[i];
    }

    /// <summary>The user's record in /var/log/lastlog (time, line, host at uid × 292), when that file exists.</summary>
    private static void WriteLastlog(uint uid, string line, string host, int seconds)
    {
        if (!File.Exists(LastlogPath))
            return;
        var record = new byte[LastlogRecordSize];
        BitConverter.TryWriteBytes(record.AsSpan(0, 4), seconds);
        Encoding.UTF8.GetBytes(line.Length > 32 ? line[..32] : line).CopyTo(record, 4);
        var hostBytes = Encoding.UTF8.GetBytes(host);
        hostBytes.AsSpan(0, Math.Min(hostBytes.Length, 256)).CopyTo(record.AsSpan(36));
        try
        {
            using var file = new FileStream(LastlogPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.Position = (long)uid * LastlogRecordSize;
            file.Write(record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // sshd logs nothing either when lastlog cannot be written.
        }
    }
}
