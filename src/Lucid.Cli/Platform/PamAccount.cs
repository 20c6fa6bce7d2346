using System.Runtime.InteropServices;
using System.Text;

namespace Lucid.Cli.Platform;

/// <summary>
/// PAM's account stage as sshd runs it with UsePAM after any successful authentication (auth-pam.c
/// do_pam_account): pam_start, PAM_RHOST and PAM_TTY, pam_acct_mgmt. PAM_NEW_AUTHTOK_REQD (an expired
/// password) still lets the user in, as it does for sshd; what the modules say goes back to the user.
/// </summary>
internal static unsafe partial class Pam
{
    private const int PAM_NEW_AUTHTOK_REQD = 12;
    private const int PAM_ERROR_MSG = 3;
    private const int PAM_TEXT_INFO = 4;

    /// <summary>Whether the account may log in now, and the modules' messages for the user (one per line).</summary>
    public static (bool Allowed, string Message) CheckAccount(string service, string user, string remoteHost)
    {
        if (!IsAvailable)
            return (false, "");
        var messages = new StringBuilder();
        var handleOfMessages = GCHandle.Alloc(messages);
        var rhost = Marshal.StringToCoTaskMemUTF8(remoteHost);
        var tty = Marshal.StringToCoTaskMemUTF8("ssh");
        try
        {
            lock (Gate)
            {
                var conv = new PamConv { Conversation = &CollectMessages, AppData = (void*)GCHandle.ToIntPtr(handleOfMessages) };
                void* handle = null;
                if (Start(service, user, &conv, &handle) != PAM_SUCCESS)
                    return (false, "");
                var rc = SetItem(handle, PAM_RHOST, (byte*)rhost);
                if (rc == PAM_SUCCESS)
                    rc = SetItem(handle, PAM_TTY, (byte*)tty);
                if (rc == PAM_SUCCESS)
                    rc = AccountManagement(handle, 0);
                End(handle, rc);
                return (rc is PAM_SUCCESS or PAM_NEW_AUTHTOK_REQD, messages.ToString());
            }
        }
        finally
        {
            handleOfMessages.Free();
            Marshal.FreeCoTaskMem(rhost);
            Marshal.FreeCoTaskMem(tty);
        }
    }

    /// <summary>Keeps error and info messages (sshd's loginmsg); prompts get no answer in the account stage.</summary>
    [UnmanagedCallersOnly]
    private static int CollectMessages(int count, PamMessage** messages, PamResponse** responses, void* appData)
    {
        if (count <= 0 || count > 32)
            return PAM_CONV_ERR;
        var collected = (StringBuilder)GCHandle.FromIntPtr((nint)appData).Target!;
        for (var i = 0; i < count; i++)
        {
            if (messages[i]->Style is not (PAM_ERROR_MSG or PAM_TEXT_INFO))
                return PAM_CONV_ERR;
            collected.Append(Marshal.PtrToStringUTF8((nint)messages[i]->Text)).Append('\n');
        }
        *responses = (PamResponse*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(PamResponse));
        return PAM_SUCCESS;
    }
}
