using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>An account from the system user database (getpwnam_r).</summary>
internal sealed record UserAccount(string Name, uint Uid, uint Gid, string Gecos, string Home, string Shell, string PasswordField);

/// <summary>
/// The system user and group databases through libc (getpwnam_r, getpwuid_r, getgrouplist, getgrgid_r),
/// so NSS (files, LDAP, sssd) answers exactly as it does for OpenSSH.
/// </summary>
internal static unsafe partial class Users
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint Name, Password;
        public uint Uid, Gid;
        public nint Gecos, Dir, Shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public nint Name, Password;
        public uint Gid;
        public nint Members;
    }

    [LibraryImport("libc", EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetPwNam(string name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    private static partial int GetPwUid(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport("libc", EntryPoint = "getgrgid_r")]
    private static partial int GetGrGid(uint gid, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport("libc", EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGrNam(string name, Group* grp, byte* buf, nuint buflen, Group** result);

    [LibraryImport("libc", EntryPoint = "getgrouplist", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetGroupList(string user, uint group, uint* groups, int* ngroups);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    private const int ERANGE = 34;

    public static bool IsRoot => GetEffectiveUid() == 0;

    public static UserAccount? ByName(string name)
    {
        if (name.Length == 0 || name.Contains('\0'))
            return null;
        return Lookup((p, b, n, r) => GetPwNam(name, p, b, n, r));
    }

    public static UserAccount? ByUid(uint uid) => Lookup((p, b, n, r) => GetPwUid(uid, p, b, n, r));

    /// <summary>The account sshd runs as.</summary>
    public static UserAccount Current => ByUid(GetEffectiveUid()) ?? throw new InvalidOperationException("the current user has no passwd entry");

    private delegate int PwLookup(Passwd* pwd, byte* buf, nuint len, Passwd** result);

    private static UserAccount? Lookup(PwLookup lookup)
    {
        for (var size = 1024; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Passwd pwd;
            Passwd* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = lookup(&pwd, b, (nuint)size, &result);
                if (rc == 0)
                {
                    if (result == null)
                        return null;
                    return new UserAccount(Str(pwd.Name), pwd.Uid, pwd.Gid, Str(pwd.Gecos), Str(pwd.Dir), Str(pwd.Shell), Str(pwd.Password));
                }
            }
            if (rc != ERANGE)
                return null;
        }
        return null;
    }

    /// <summary>Every group id the user belongs to, primary first (what initgroups would set).</summary>
    public static uint[] GroupIdsOf(string user, uint primaryGid)
    {
        var count = 64;
        while (true)
        {
            var groups = new uint[count];
            int n = count;
            int rc;
            fixed (uint* g = groups)
                rc = GetGroupList(user, primaryGid, g, &n);
            if (rc >= 0)
                return groups[..n];
            if (n <= count)
                n = count * 2;
            count = n;
            if (count > 65536)
                return [primaryGid];
        }
    }

    public static string? GroupName(uint gid)
    {
        for (var size = 1024; size <= 1 << 22; size *= 4)
        {
            var buffer = new byte[size];
            Group grp;
            Group* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = GetGrGid(gid, &grp, b, (nuint)size, &result);
                if (rc == 0)
                    return result == null ? null : Str(grp.Name);
            }
            if (rc != ERANGE)
                return null;
        }
        return null;
    }

    public static uint? GroupId(string name)
    {
        for (var size = 1024; size <= 1 << 22; size *= 4)
        {
            var buffer = new byte[size];
            Group grp;
            Group* result = null;
            int rc;
            fixed (byte* b = buffer)
            {
                rc = GetGrNam(name, &grp, b, (nuint)size, &result);
                if (rc == 0)
                    return result == null ? null : grp.Gid;
            }
            if (rc != ERANGE)
                return null;
        }
        return null;
    }

    /// <summary>The names of a user's groups (for Match Group, AllowGroups, DenyGroups); empty for an unknown user.</summary>
    public static IReadOnlyList<string> GroupNamesOf(string user)
    {
        var account = ByName(user);
        if (account is null)
            return [];
        return GroupIdsOf(account.Name, account.Gid).Select(g => GroupName(g) ?? g.ToString(System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
    }

    private static string Str(nint p) => p == 0 ? "" : Marshal.PtrToStringUTF8(p) ?? "";
}
