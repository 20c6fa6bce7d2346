using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Sshd;

/// <summary>
/// The last step of starting a session, run in a fresh `lucid` process that posix_spawn started on the
/// session's terminal or pipes: become the user (initgroups, setgid, setuid), change to the home directory,
/// and exec the shell with the argv[0] sshd uses ("-bash" for a login shell). A separate process because
/// .NET cannot fork; this one has nothing else to do, so changing credentials here is safe.
/// </summary>
internal static unsafe partial class SshdExec
{
    public const string Flag = "--lucid-session-exec";

    /// <summary>
    /// Set for this process only (and removed before exec): the runtime's W^X double mapping cannot make new
    /// mappings once the process has switched from root to the user, and the JIT still runs after setuid.
    /// </summary>
    public const string RuntimeSetting = "DOTNET_EnableWriteXorExecute";

    /// <summary>The rc command to run before the program (argv joined by U+001F); removed before exec.</summary>
    public const string RcVariable = "LUCID_SSHD_RC";

    [LibraryImport("libc", EntryPoint = "initgroups", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int InitGroups(string user, uint group);

    [LibraryImport("libc", EntryPoint = "setgid", SetLastError = true)]
    private static partial int SetGid(uint gid);

    [LibraryImport("libc", EntryPoint = "setuid", SetLastError = true)]
    private static partial int SetUid(uint uid);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "chdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chdir(string path);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static partial int Execve(byte* path, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "sigprocmask")]
    private static partial int SigProcMask(int how, byte* set, byte* old);

    [LibraryImport("libc", EntryPoint = "closefrom")]
    private static partial void CloseFrom(int lowfd);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(byte* set);

    /// <summary>args: uid gid user home path argv0 [arguments...]. Returns only on failure.</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 6)
            return Fail("lucid sshd: bad session exec arguments", 1);
        var uid = uint.Parse(args[0], CultureInfo.InvariantCulture);
        var gid = uint.Parse(args[1], CultureInfo.InvariantCulture);
        var user = args[2];
        var home = args[3];
        var path = args[4];
        var argv = args[5..];

        if (GetUid() != uid)
        {
            if (InitGroups(user, gid) != 0 || SetGid(gid) != 0 || SetUid(uid) != 0 || GetUid() != uid)
                return Fail($"setuid {uid}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}", 1);
        }
        if (Chdir(home) != 0)
        {
            // sshd's words; the session still starts, in /.
            Say($"Could not chdir to home directory {home}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}\n");
            Chdir("/");
        }

        // The runtime ignores SIGPIPE and may block signals; the user's programs must get the defaults.
        const int SIGPIPE = 13, SIG_SETMASK = 2;
        Signal(SIGPIPE, 0);
        byte* set = stackalloc byte[128];
        SigEmptySet(set);
        SigProcMask(SIG_SETMASK, set, null);

        // Only 0, 1 and 2 go to the user's program; descriptors the runtime opened without close-on-exec stay behind.
        // A plain loop: the LINQ chain it replaces cost this short-lived process a generic virtual method lookup
        // at run time, ~5% of its start as a native executable.
        var env = new List<string>();
        var pairs = new List<KeyValuePair<string, string>>();
        string? rc = null;
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key == RcVariable)
                rc = (string?)entry.Value;
            else if (key != RuntimeSetting)
            {
                env.Add($"{key}={entry.Value}");
                pairs.Add(new(key, (string?)entry.Value ?? ""));
            }
        }
        if (rc is { Length: > 0 })
            RunRc(rc.Split('\x1f'), pairs);
        var pathBytes = Utf8(path);
        var argvBytes = Array(argv);
        var envBytes = Array(env);
        CloseFrom(3);
        Execve(pathBytes, argvBytes, envBytes);
        var error = Marshal.GetLastPInvokeError();
        return Fail($"{path}: {Marshal.GetPInvokeErrorMessage(error)}", error == 2 ? 127 : 126);
    }

    /// <summary>
    /// ~/.ssh/rc or /etc/ssh/sshrc, waited for, with the session's environment, terminal or pipes for its output, and
    /// an empty stdin (sshd's popen gives it a pipe it closes at once when there is no X11 cookie to write).
    /// </summary>
    private static void RunRc(string[] argv, List<KeyValuePair<string, string>> environment)
    {
        var devNull = Platform.Libc.open("/dev/null", Platform.Libc.O_RDWR | Platform.Libc.O_CLOEXEC);
        try
        {
            var pid = Platform.Spawn.Start(argv[0], argv, environment,
                new Platform.Spawn.Stdio { Input = devNull, Output = 1, Error = 2 }, null, newSession: false);
            Platform.Spawn.Wait(pid);
        }
        catch (IOException)
        {
            Say($"Could not run {argv[^1]}\n");
        }
        finally
        {
            Platform.Libc.close(devNull);
        }
    }

    private static int Fail(string message, int code)
    {
        Say(message + "\n");
        return code;
    }

    // Raw write(2): the runtime's Console would initialise terminal handling on a terminal we hand over.
    private static void Say(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
            Write(2, p, (nuint)bytes.Length);
    }

    private static byte* Utf8(string s) => (byte*)Marshal.StringToCoTaskMemUTF8(s);

    private static byte** Array(IReadOnlyList<string> items)
    {
        var p = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
        for (var i = 0; i < items.Count; i++)
            p[i] = Utf8(items[i]);
        return p;
    }
}
