namespace Lucid.Ssh;

/// <summary>
/// Lucid's version, in one place: the assembly version, which Directory.Build.props sets for every project
/// (&lt;Version&gt;). The identification string (SSH-2.0-Lucid_0.1), `lucid -V`, `lucid ssh -V` and `lucid sshd -V`
/// all print it from here, as major.minor.
/// </summary>
internal static class LucidVersion
{
    /// <summary>"0.1".</summary>
    public static string Number { get; } = typeof(LucidVersion).Assembly.GetName().Version?.ToString(2) ?? "0.0";

    /// <summary>The software part of the identification string: "Lucid_0.1".</summary>
    public static string SoftwareVersion { get; } = "Lucid_" + Number;

    /// <summary>What `ssh -V` and `sshd -V` print, in OpenSSH's shape ("OpenSSH_9.2p1, OpenSSL 3.0.17 ...").</summary>
    public static string Banner { get; } = SoftwareVersion + ", OpenSSH-compatible";
}
