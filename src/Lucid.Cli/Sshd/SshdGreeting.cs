using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>
/// What `lucid sshd` with no configuration prints for someone trying it for the first time: where it listens, which
/// authorized_keys file it reads and how to put a key there, the exact ssh command (with the account's name from the
/// password database: $USER may be unset or wrong under sudo, su or cron), and whether sftp is served.
/// </summary>
internal static class SshdGreeting
{
    public static void Write(SshServer server, SshdConfig config, TextWriter stderr)
    {
        var ep = server.LocalEndPoints[0];
        var user = Users.Current;
        var keys = config.AuthorizedKeysFiles.Where(p => p != "none")
            .Select(p => AuthorizedKeysPath.Expand(p, user.Name, user.Uid, user.Home)).ToList();
        var first = keys.FirstOrDefault() ?? Path.Combine(user.Home, ".ssh", "authorized_keys");
        var host = ep.Address.ToString();
        if (ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            host = $"[{host}]";
        var w = stderr;
        w.Write($"lucid sshd: listening on {ep.Address} port {ep.Port}, for {user.Name} only\n");
        w.Write($"  keys accepted from:  {string.Join(", ", keys)}\n");
        w.Write($"  to add yours:        cat ~/.ssh/id_ed25519.pub >> {first}\n");
        w.Write($"                       (no key yet? ssh-keygen -t ed25519)\n");
        w.Write($"  connect with:        ssh -p {ep.Port} {user.Name}@{host}\n");
        if (config.Subsystems.TryGetValue("sftp", out var sftp))
            w.Write($"  files:               sftp -P {ep.Port} {user.Name}@{host}   (scp works too; served by {sftp})\n");
        else
            w.Write("  files:               no sftp (install openssh-sftp-server for /usr/lib/openssh/sftp-server)\n");
        if (!Users.IsRoot)
            w.Write($"  not running as root: only {user.Name} can log in, with a key (passwords need root for PAM)\n");
        w.Write("  stop with Ctrl-C\n");
    }
}
