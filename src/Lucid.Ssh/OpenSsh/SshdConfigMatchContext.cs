namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// What a Match block is tested against (servconf.c's connection_info): the user, their groups, the
/// client's host name and address, and the local address and port the connection arrived on. For
/// `sshd -T -C spec` the unset fields simply never match (<see cref="IsTest"/>).
/// </summary>
public sealed class SshdMatchContext
{
    public string? User { get; init; }
    /// <summary>The user's groups (primary and supplementary); the server looks them up.</summary>
    public IReadOnlyList<string>? Groups { get; init; }
    public string? Host { get; init; }
    public string? Address { get; init; }
    public string? LocalAddress { get; init; }
    /// <summary>0 when unknown.</summary>
    public int LocalPort { get; init; }
    public bool IsTest { get; init; }
    /// <summary>The user name given is not an account here (`Match invalid-user`, OpenSSH 10).</summary>
    public bool InvalidUser { get; init; }

    /// <summary>Parses `sshd -C` connection specifications: user=,host=,addr=,laddr=,lport=,rdomain=.</summary>
    public static SshdMatchContext ParseTestSpec(IEnumerable<string> specs, Func<string, IReadOnlyList<string>>? groupsOf = null)
    {
        string? user = null, host = null, addr = null, laddr = null;
        var lport = 0;
        var invalid = false;
        foreach (var spec in specs)
            foreach (var p in spec.Split(','))
            {
                if (p.Length == 0)
                    break;
                if (p.StartsWith("addr=", StringComparison.Ordinal)) addr = p[5..];
                else if (p.StartsWith("host=", StringComparison.Ordinal)) host = p[5..];
                else if (p.StartsWith("user=", StringComparison.Ordinal)) user = p[5..];
                else if (p.StartsWith("laddr=", StringComparison.Ordinal)) laddr = p[6..];
                else if (p.StartsWith("rdomain=", StringComparison.Ordinal)) { }
                else if (p == "invalid-user") invalid = true;
                else if (p.StartsWith("lport=", StringComparison.Ordinal))
                {
                    if (!int.TryParse(p[6..], out lport) || lport < 0 || lport > 65535)
                        throw new SshdConfigException($"Invalid port '{p[6..]}' in test mode specification {p}");
                }
                else
                    throw new SshdConfigException($"Invalid test mode specification {p}");
            }
        return new SshdMatchContext
        {
            User = user, Host = host, Address = addr, LocalAddress = laddr, LocalPort = lport, IsTest = true, InvalidUser = invalid,
            Groups = user is not null && groupsOf is not null ? groupsOf(user) : null,
        };
    }
}
