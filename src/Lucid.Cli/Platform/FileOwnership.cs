using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>Whether a file belongs to the user running us (OpenSSH only polices the permissions of one's own keys).</summary>
internal static partial class FileOwnership
{
    public static bool IsOwnedByCurrentUser(string path)
    {
        // struct stat's layout is architecture-specific; st_uid sits at byte 28 on x86-64 and 24 on
        // arm64 (asm-generic). Elsewhere assume ownership, which errs on the side of refusing.
        int uidOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 28,
            Architecture.Arm64 => 24,
            _ => -1,
        };
        if (uidOffset < 0)
            return true;
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* p = buffer)
            {
                if (Stat(path, p) != 0)
                    return true;
            }
        }
        uint uid = BitConverter.ToUInt32(buffer.Slice(uidOffset, 4));
        return uid == GetUserId();
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUserId();
}
