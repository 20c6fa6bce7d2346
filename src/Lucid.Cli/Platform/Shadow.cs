using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>One /etc/shadow entry (getspnam_r): the password field and the ageing fields in days since 1970, -1 when empty.</summary>
internal sealed record ShadowEntry(string Password, long LastChange, long Maximum, long Warning, long Expire);

/// <summary>The shadow password database through libc's getspnam_r (readable by root only).</summary>
internal static unsafe partial class Shadow
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Spwd
    {
        public nint Name, Password;
        public nint LastChange, Minimum, Maximum, Warning, Inactive, Expire;
        public nuint Flag;
    }

    [LibraryImport("libc", EntryPoint = "getspnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetSpNam(string name, Spwd* entry, byte* buffer, nuint length, Spwd** result);

    private const int ERANGE = 34;

    /// <summary>The entry, or null when there is none or it cannot be read (not root).</summary>
    public static ShadowEntry? ByName(string name)
    {
        if (name.Length == 0 || name.Contains('\0'))
            return null;
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Spwd entry;
            Spwd* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = GetSpNam(name, &entry, b, (nuint)size, &result);
                if (rc == 0)
                {
                    if (result == null)
                        return null;
                    var password = entry.Password == 0 ? "" : Marshal.PtrToStringUTF8(entry.Password) ?? "";
                    return new ShadowEntry(password, entry.LastChange, entry.Maximum, entry.Warning, entry.Expire);
                }
            }
            if (rc != ERANGE)
                return null;
        }
        return null;
    }
}
