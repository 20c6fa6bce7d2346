using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>PAM's session stage, as sshd runs it with UsePAM: pam_setcred(ESTABLISH), pam_open_session, the PAM environment; and the reverse.</summary>
internal static unsafe partial class Pam
{
    private const int PAM_ESTABLISH_CRED = 0x2;
    private const int PAM_DELETE_CRED = 0x4;
    private const int PAM_SESSION_ERR = 14;

    [LibraryImport(Library, EntryPoint = "pam_setcred")]
    private static partial int SetCredentials(void* handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_open_session")]
    private static partial int OpenSessionNative(void* handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_close_session")]
    private static partial int CloseSessionNative(void* handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_getenvlist")]
    private static partial byte** GetEnvironmentList(void* handle);

    [LibraryImport(Library, EntryPoint = "pam_strerror")]
    private static partial byte* ErrorText(void* handle, int error);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(void* pointer);

    /// <summary>
    /// Opens a PAM session for <paramref name="user"/> (PAM_RHOST <paramref name="remoteHost"/>, PAM_TTY "ssh" as
    /// sshd sets before a terminal exists). Throws IOException with sshd's words ("PAM: pam_open_session(): ...").
    /// </summary>
    public static Session OpenSession(string service, string user, string remoteHost)
    {
        lock (Gate)
        {
            var rhost = Marshal.StringToCoTaskMemUTF8(remoteHost);
            var tty = Marshal.StringToCoTaskMemUTF8("ssh");
            try
            {
                // No password to give: prompts get empty answers; messages (pam_motd, pam_lastlog) are not shown.
                var conv = new PamConv { Conversation = &Converse, AppData = null };
                void* handle = null;
                var rc = Start(service, user, &conv, &handle);
                if (rc != PAM_SUCCESS)
                    throw new IOException($"PAM: pam_start(): {Describe(handle, rc)}");
                rc = SetItem(handle, PAM_RHOST, (byte*)rhost);
                if (rc == PAM_SUCCESS)
                    rc = SetItem(handle, PAM_TTY, (byte*)tty);
                if (rc != PAM_SUCCESS)
                    return Fail(handle, rc, "pam_set_item()");
                rc = SetCredentials(handle, PAM_ESTABLISH_CRED);
                if (rc != PAM_SUCCESS)
                    return Fail(handle, rc, "pam_setcred()");
                rc = OpenSessionNative(handle, 0);
                // pam_loginuid sets the audit login uid through /proc/self/loginuid, which the kernel accepts only from
                // a process's main thread; lucid sshd opens sessions on a worker thread of its one long-lived process
                // (OpenSSH opens them in a process per connection), so Debian's sshd stack, where pam_loginuid is
                // "required", reports a session error after every other module (pam_limits, pam_env, ...) has run.
                // That error is logged on each session, not fatal: the session has no audit login uid.
                string? warning = null;
                if (rc == PAM_SESSION_ERR)
                    warning = $"PAM: pam_open_session(): {Describe(handle, rc)} (continuing: the session has no audit login uid; " +
                        "pam_loginuid cannot set it from lucid sshd's shared process)";
                else if (rc != PAM_SUCCESS)
                {
                    SetCredentials(handle, PAM_DELETE_CRED);
                    return Fail(handle, rc, "pam_open_session()");
                }
                return new Session(handle, ReadEnvironment(handle), warning);
            }
            finally
            {
                Marshal.FreeCoTaskMem(rhost);
                Marshal.FreeCoTaskMem(tty);
            }
        }
    }

    private static Session Fail(void* handle, int rc, string call)
    {
        var text = Describe(handle, rc);
        End(handle, rc);
        throw new IOException($"PAM: {call}: {text}");
    }

    private static string Describe(void* handle, int rc) => Marshal.PtrToStringUTF8((nint)ErrorText(handle, rc)) ?? $"error {rc}";

    private static List<KeyValuePair<string, string>> ReadEnvironment(void* handle)
    {
        var result = new List<KeyValuePair<string, string>>();
        var list = GetEnvironmentList(handle);
        if (list is null)
            return result;
        for (var p = list; *p is not null; p++)
        {
            var entry = Marshal.PtrToStringUTF8((nint)(*p)) ?? "";
            var eq = entry.IndexOf('=');
            if (eq > 0)
                result.Add(new(entry[..eq], entry[(eq + 1)..]));
            Free(*p);
        }
        Free(list);
        return result;
    }

    /// <summary>An open PAM session; <see cref="Dispose"/> closes it (pam_close_session, pam_setcred DELETE, pam_end).</summary>
    public sealed class Session : IDisposable
    {
        private void* _handle;

        internal Session(void* handle, IReadOnlyList<KeyValuePair<string, string>> environment, string? warning)
        {
            _handle = handle;
            Environment = environment;
            Warning = warning;
        }

        /// <summary>What went wrong opening the session without ending it, for the log; null when nothing did.</summary>
        public string? Warning { get; }

        /// <summary>What PAM's modules put in the environment (pam_getenvlist).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

        public void Dispose()
        {
            lock (Gate)
            {
                if (_handle is null)
                    return;
                var rc = CloseSessionNative(_handle, 0);
                SetCredentials(_handle, PAM_DELETE_CRED);
                End(_handle, rc);
                _handle = null;
            }
        }
    }
}
