using System.Net;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Fuzz.Targets;

/// <summary>OpenSSH's text files: authorized_keys (lines and options), known_hosts, ssh_config and sshd_config.</summary>
internal static class OpenSshTargets
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    /// <summary>An authorized_keys file: every line parsed (options included), then a key looked up as sshd does.</summary>
    public static void AuthorizedKeys(byte[] data)
    {
        var entries = AuthorizedKeysFile.Parse(FuzzInput.Text(data), "authorized_keys", _ => { });
        foreach (var entry in entries)
        {
            _ = entry.Location;
            AuthorizedKeysFile.Authorize(entries, entry.Key, "fuzz", "192.0.2.7", "client.example", Now, _ => { }, _ => { });
        }
    }

    /// <summary>A known_hosts file: parsed, then looked up for a host the way ssh checks a server's key.</summary>
    public static void KnownHostsFile(byte[] data)
    {
        var knownHosts = KnownHosts.Parse(FuzzInput.Text(data));
        foreach (var entry in knownHosts.Entries.Take(8))
        {
            foreach (var host in new[] { "host.example", "192.0.2.7" })
            {
                knownHosts.Check(host, 22, entry.KeyType, entry.Blob);
                knownHosts.Check(host, 2222, entry.KeyType, entry.Blob);
                knownHosts.CheckCertificateAuthority(host, 22, entry.Blob);
                _ = entry.Match(host);
            }
        }
        knownHosts.PreferKnownAlgorithms("host.example", 22, ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"]);
        knownHosts.Lookup("host.example", 22).Count();
    }

    /// <summary>
    /// ssh_config as `ssh -G host.example` resolves it (-F file): no DNS (names resolve to themselves), no Match exec
    /// commands run, a fixed local user; the result printed as -G prints it.
    /// </summary>
    public static void SshConfigFile(byte[] data)
    {
        var path = ScratchFile("ssh_config");
        File.WriteAllBytes(path, data);
        var config = SshConfig.Resolve("host.example", new SshConfigResolveOptions
        {
            ConfigFile = path,
            LocalUser = new SshConfigLocalUser("fuzz", 1000, "/nonexistent/fuzz-home", "fuzzhost.example"),
            GetEnvironmentVariable = name => name == "HOME" ? "/nonexistent/fuzz-home" : null,
            MatchExec = _ => 1,
            ResolveHostName = name => name,
        });
        config.FormatLikeSshG();
        _ = config.LocalForwards;
        _ = config.RemoteForwards;
        _ = config.ProxyJump;
    }

    /// <summary>
    /// sshd_config as `sshd -T` and a connection read it: parsed, the Match blocks applied for one connection, every
    /// setting printed (skipped when a ListenAddress would need DNS).
    /// </summary>
    public static void SshdConfigFile(byte[] data)
    {
        var config = SshdConfig.Parse(FuzzInput.Text(data), "sshd_config");
        var connection = config.ForConnection(new SshdMatchContext
        {
            User = "fuzz", Groups = ["fuzz", "users"], Host = "client.example", Address = "192.0.2.7",
            LocalAddress = "192.0.2.1", LocalPort = 22,
        });
        foreach (var c in new[] { config, connection })
        {
            if (c.ListenAddresses.All(a => a.Host is null || IPAddress.TryParse(a.Host.Trim('[', ']'), out _)))
                c.WriteEffective(TextWriter.Null);
            // What the server reads from it at start-up and per connection.
            _ = (c.Ports, c.MaxStartups, c.LoginGraceTime, c.MaxAuthTries, c.MaxSessions, c.ClientAliveInterval);
            _ = (c.KexAlgorithms, c.Ciphers, c.Macs, c.HostKeyAlgorithms, c.PubkeyAcceptedAlgorithms);
            _ = (c.AuthenticationMethods, c.AcceptEnv, c.Subsystems, c.AuthorizedKeysFiles, c.PermitRootLogin);
        }
    }

    /// <summary>A file of this process's own in the shared-memory file system (or /tmp), rewritten for each input.</summary>
    private static string ScratchFile(string name)
    {
        if (s_scratch is null)
        {
            var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
            var directory = Path.Combine(root, $"lucid-fuzz-{Environment.ProcessId}");
            Directory.CreateDirectory(directory);
            s_scratch = directory;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            };
        }
        var path = Path.Combine(s_scratch, name);
        return path;
    }

    [ThreadStatic] private static string? s_scratch;
}
