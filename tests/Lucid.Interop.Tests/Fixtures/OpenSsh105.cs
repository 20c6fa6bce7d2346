namespace Lucid.Interop.Tests;

/// <summary>
/// OpenSSH 10.5p1 built from source by ./test.sh (shared/peers/build-openssh.sh) into $LUCID_OPENSSH105: the
/// reference for OpenSSH 10 behaviour (PerSourcePenalties, RefuseConnection, Match tagged, ...) that Debian's
/// 9.2 does not have.
/// </summary>
public static class OpenSsh105
{
    /// <summary>A program of the build tree (ssh, sshd, sshd-session, sshd-auth, ssh-keyscan, ...).</summary>
    public static string Path(string program)
    {
        var dir = Environment.GetEnvironmentVariable("LUCID_OPENSSH105");
        if (string.IsNullOrEmpty(dir))
            throw new InvalidOperationException("LUCID_OPENSSH105 is not set: run the tests through ./test.sh, which builds OpenSSH 10.5p1 and exports it.");
        var path = System.IO.Path.Combine(dir, program);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: LUCID_OPENSSH105 must point at an OpenSSH 10.5p1 build tree (./test.sh builds one).");
        return path;
    }

    public static string Ssh => Path("ssh");
}
