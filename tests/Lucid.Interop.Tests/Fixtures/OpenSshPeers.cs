using System.Diagnostics;

namespace Lucid.Interop.Tests.Fixtures;

/// <summary>
/// The OpenSSH builds the interop tests drive: Debian's 9.2 (/usr/bin/ssh, /usr/sbin/sshd) and 10.5p1, built by
/// ./test.sh from ../shared/peers into the folder $LUCID_OPENSSH105 names.
/// </summary>
public sealed record OpenSshPeer(string Name, string SshPath, string SshdPath, IReadOnlyList<string> SshdConfig)
{
    public static OpenSshPeer Debian92 { get; } = new("OpenSSH 9.2", "/usr/bin/ssh", "/usr/sbin/sshd", []);

    // The one locator of the build (Lucid.Interop.Tests.OpenSsh105) says what is wrong when it is missing.
    private static readonly Lazy<OpenSshPeer> s_openSsh105 = new(() =>
        // This sshd execs its own session and auth helpers, not Debian's; it has no PAM.
        new("OpenSSH 10.5", Build("ssh"), Build("sshd"),
        [
            $"SshdSessionPath {Build("sshd-session")}",
            $"SshdAuthPath {Build("sshd-auth")}",
        ]));

    private static string Build(string program) => global::Lucid.Interop.Tests.OpenSsh105.Path(program);

    /// <summary>OpenSSH 10.5p1 (fails with a clear message when ./test.sh has not built it).</summary>
    public static OpenSshPeer OpenSsh105 => s_openSsh105.Value;

    private readonly Lazy<HashSet<string>> _kex = new(() => Query(SshPath, "kex"));

    /// <summary>Whether this build implements a key exchange method (its `ssh -Q kex`).</summary>
    public bool SupportsKex(string name) => _kex.Value.Contains(name);

    private static HashSet<string> Query(string ssh, string what)
    {
        using var process = Process.Start(new ProcessStartInfo(ssh, ["-Q", what]) { RedirectStandardOutput = true })!;
        var names = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        process.WaitForExit();
        return names;
    }
}
