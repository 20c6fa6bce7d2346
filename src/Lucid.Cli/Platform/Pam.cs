using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>
/// Password checks through PAM (libpam.so.0), as sshd with UsePAM does them: pam_start with the service
/// name (default "sshd"), a conversation that answers password prompts, PAM_RHOST and PAM_TTY set, then
/// pam_authenticate and pam_acct_mgmt. Only root can check other users' passwords, so the server offers
/// password methods only when running as root.
/// </summary>
internal static unsafe partial class Pam
{
    private const string Library = "libpam.so.0";
    private const int PAM_SUCCESS = 0;
    private const int PAM_CONV_ERR = 19;
    private const int PAM_TTY = 3;
    private const int PAM_RHOST = 4;
    private const int PAM_PROMPT_ECHO_OFF = 1;
    private const int PAM_PROMPT_ECHO_ON = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct PamMessage
    {
        public int Style;
        public byte* Text;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PamResponse
    {
        public byte* Response;
        public int RetCode;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PamConv
    {
        public delegate* unmanaged<int, PamMessage**, PamResponse**, void*, int> Conversation;
        public void* AppData;
    }

    [LibraryImport(Library, EntryPoint = "pam_start", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Start(string service, string user, PamConv* conversation, void** handle);

    [LibraryImport(Library, EntryPoint = "pam_set_item")]
    private static partial int SetItem(void* handle, int type, byte* value);

    [LibraryImport(Library, EntryPoint = "pam_authenticate")]
    private static partial int AuthenticateNative(void* handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_acct_mgmt")]
    private static partial int AccountManagement(void* handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_end")]
    private static partial int End(void* handle, int status);

    private static readonly Lazy<bool> Available = new(() => NativeLibrary.TryLoad(Library, out _));

    public static bool IsAvailable => Available.Value;

    // PAM modules are not all thread-safe (pam_unix keeps state); sshd runs one check per process, we serialise.
    private static readonly Lock Gate = new();

    /// <summary>True when PAM accepts the password and the account may log in now.</summary>
    public static bool Authenticate(string service, string user, string password, string remoteHost)
    {
        if (!IsAvailable)
            return false;
        lock (Gate)
        {
            var secret = Marshal.StringToCoTaskMemUTF8(password);
            var rhost = Marshal.StringToCoTaskMemUTF8(remoteHost);
            var tty = Marshal.StringToCoTaskMemUTF8("ssh");
            try
            {
                var conv = new PamConv { Conversation = &Converse, AppData = (void*)secret };
                void* handle = null;
                if (Start(service, user, &conv, &handle) != PAM_SUCCESS)
                    return false;
                var rc = SetItem(handle, PAM_RHOST, (byte*)rhost);
                if (rc == PAM_SUCCESS)
                    rc = SetItem(handle, PAM_TTY, (byte*)tty);
                if (rc == PAM_SUCCESS)
                    rc = AuthenticateNative(handle, 0);
                if (rc == PAM_SUCCESS)
                    rc = AccountManagement(handle, 0);
                End(handle, rc);
                return rc == PAM_SUCCESS;
            }
            finally
            {
                // Wipe the password copy before freeing it.
                new Span<byte>((void*)secret, System.Text.Encoding.UTF8.GetByteCount(password)).Clear();
                Marshal.FreeCoTaskMem(secret);
                Marshal.FreeCoTaskMem(rhost);
                Marshal.FreeCoTaskMem(tty);
            }
        }
    }

    /// <summary>Answers every prompt with the password (PAM frees the answers with free(3)).</summary>
    [UnmanagedCallersOnly]
    private static int Converse(int count, PamMessage** messages, PamResponse** responses, void* appData)
    {
        if (count <= 0 || count > 32)
            return PAM_CONV_ERR;
        var answers = (PamResponse*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(PamResponse));
        for (var i = 0; i < count; i++)
        {
            var style = messages[i]->Style;
            if (style is PAM_PROMPT_ECHO_OFF or PAM_PROMPT_ECHO_ON)
            {
                var text = Marshal.PtrToStringUTF8((nint)appData) ?? "";
                answers[i].Response = (byte*)Marshal.StringToCoTaskMemUTF8(text);
            }
        }
        *responses = answers;
        return PAM_SUCCESS;
    }
}
