using System.Runtime.InteropServices;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Platform;

/// <summary>stat(2) for StrictModes: owner and mode of a path (following symlinks).</summary>
internal static unsafe partial class UsersFileStatus
{
    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatNative(string path, byte* buffer);

    public static AuthorizedKeysFileStatus? Stat(string path)
    {
        // struct stat on x86_64 Linux is 144 bytes: st_mode at 24, st_uid at 28.
        byte* buffer = stackalloc byte[256];
        if (StatNative(path, buffer) != 0)
            return null;
        var mode = *(uint*)(buffer + 24);
        var uid = *(uint*)(buffer + 28);
        const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;
        return new AuthorizedKeysFileStatus(uid, (UnixFileMode)(mode & 0xFFF), (mode & S_IFMT) == S_IFREG, (mode & S_IFMT) == S_IFDIR);
    }
}
