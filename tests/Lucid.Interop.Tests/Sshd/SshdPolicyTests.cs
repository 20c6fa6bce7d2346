using System.Diagnostics;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// sshd_config keywords that decide who gets in and what a session may do, each shown with OpenSSH's ssh:
/// PermitRootLogin, AllowUsers, AllowGroups, DenyGroups, PubkeyAuthentication, PermitTTY, AcceptEnv, SetEnv,
/// Match Address/LocalPort/Group and MaxSessions.
/// </summary>
public sealed class SshdPolicyTests
{
    private const string User = LucidSshd.TestUser;

    [Fact]
    public async Task PermitRootLogin_no_refuses_root_even_with_a_key()
    {
        await using var server = await LucidSshd.StartAsync("PermitRootLogin no");
        var r = await server.SshAsync("true", user: "root");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("root@127.0.0.1: Permission denied (publickey", r.StdErr);
        await server.WaitForLogAsync("ROOT LOGIN REFUSED FROM 127.0.0.1 port ");
        Assert.Equal(User + "\n", (await server.SshAsync("id -un")).StdOut);
    }

    [Fact]
    public async Task PermitRootLogin_prohibit_password_lets_root_in_with_a_key()
    {
        await using var server = await LucidSshd.StartAsync("PermitRootLogin prohibit-password");
        var r = await server.SshAsync("id -un", user: "root");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("root\n", r.StdOut);
    }

    [Fact]
    public async Task PermitRootLogin_forced_commands_only_needs_a_command_option()
    {
        await using var server = await LucidSshd.StartAsync("PermitRootLogin forced-commands-only");
        var plain = await server.SshAsync("id -un", user: "root");
        Assert.Equal(255, plain.ExitCode);
        await server.WaitForLogAsync("ROOT LOGIN REFUSED FROM 127.0.0.1 port ");

        var key = File.ReadAllText(server.ClientKeyPath() + ".pub").Trim();
        await File.WriteAllTextAsync(server.AuthorizedKeysPath, $"command=\"echo forced-for-$(id -un)\" {key}\n");
        var forced = await server.SshAsync("id -un", user: "root");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("forced-for-root\n", forced.StdOut);
    }

    [Fact]
    public async Task AllowUsers_admits_only_the_listed_users()
    {
        await using (var others = await LucidSshd.StartAsync("AllowUsers someoneelse root"))
        {
            var r = await others.SshAsync("true");
            Assert.Equal(255, r.ExitCode);
            await others.WaitForLogAsync($"User {User} from 127.0.0.1 not allowed because not listed in AllowUsers");
        }
        await using var listed = await LucidSshd.StartAsync($"AllowUsers {User}@127.0.0.1");
        Assert.Equal("in\n", (await listed.SshAsync("echo in")).StdOut);
    }

    [Fact]
    public async Task AllowGroups_and_DenyGroups_use_the_users_groups()
    {
        await using (var allow = await LucidSshd.StartAsync("AllowGroups root adm"))
        {
            Assert.Equal(255, (await allow.SshAsync("true")).ExitCode);
            await allow.WaitForLogAsync($"User {User} from 127.0.0.1 not allowed because none of user's groups are listed in AllowGroups");
        }
        await using (var deny = await LucidSshd.StartAsync($"DenyGroups {User}"))
        {
            Assert.Equal(255, (await deny.SshAsync("true")).ExitCode);
            await deny.WaitForLogAsync($"User {User} from 127.0.0.1 not allowed because a group is listed in DenyGroups");
        }
        await using var allowed = await LucidSshd.StartAsync($"AllowGroups {User}");
        Assert.Equal("in\n", (await allowed.SshAsync("echo in")).StdOut);
    }

    [Fact]
    public async Task PubkeyAuthentication_no_refuses_keys()
    {
        await using var server = await LucidSshd.StartAsync("PubkeyAuthentication no");
        var r = await server.SshAsync("true");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"{User}@127.0.0.1: Permission denied (", r.StdErr);
        Assert.DoesNotContain("Accepted publickey", server.Log);
    }

    [Fact]
    public async Task Password_and_keyboard_interactive_off_leave_only_publickey()
    {
        await using var server = await LucidSshd.StartAsync("PasswordAuthentication no", "KbdInteractiveAuthentication no");
        var r = await server.SshAsync("true", options: ["-o", "PubkeyAuthentication=no"]);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"{User}@127.0.0.1: Permission denied (publickey).", r.StdErr);
    }

    [Fact]
    public async Task PermitTTY_no_refuses_a_terminal()
    {
        await using var server = await LucidSshd.StartAsync("PermitTTY no");
        var r = await server.SshAsync("tty", options: ["-tt"]);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("PTY allocation request failed on channel 0", r.StdErr);
    }

    [Fact]
    public async Task AcceptEnv_passes_only_matching_names_and_SetEnv_sets_for_everyone()
    {
        await using var server = await LucidSshd.StartAsync("AcceptEnv LUCID_OK_*", "SetEnv LUCID_SET=from-config");
        var env = new Dictionary<string, string> { ["LUCID_OK_ONE"] = "passed", ["LUCID_NO"] = "dropped" };
        var r = await server.SshAsync("echo \"${LUCID_OK_ONE:-unset} ${LUCID_NO:-unset} $LUCID_SET\"",
            options: ["-o", "SendEnv=LUCID_OK_ONE LUCID_NO"], environment: env);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("passed unset from-config\n", r.StdOut);
    }

    [Fact]
    public async Task Match_Address_LocalPort_and_Group_select_their_blocks()
    {
        await using (var address = await LucidSshd.StartAsync("Match Address 10.0.0.0/8", "  ForceCommand echo wrong", "Match Address 127.0.0.0/8", "  ForceCommand echo by-address"))
            Assert.Equal("by-address\n", (await address.SshAsync("echo none")).StdOut);
        await using (var port = await LucidSshd.StartAsync("Match LocalPort 1", "  ForceCommand echo wrong", "Match LocalAddress 127.0.0.1", "  ForceCommand echo by-local"))
            Assert.Equal("by-local\n", (await port.SshAsync("echo none")).StdOut);
        await using var group = await LucidSshd.StartAsync("Match Group root", "  ForceCommand echo wrong", $"Match Group {User}", "  ForceCommand echo by-group");
        Assert.Equal("by-group\n", (await group.SshAsync("echo none")).StdOut);
    }

    /// <summary>Sessions multiplexed over one connection (ssh -M / -S): the one past MaxSessions is refused.</summary>
    [Fact]
    public async Task MaxSessions_limits_sessions_on_one_connection()
    {
        await using var server = await LucidSshd.StartAsync("MaxSessions 2");
        var control = Path.Combine(server.Directory, "ctl");
        Process Start(string command, params string[] options)
        {
            var info = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var a in options.Concat(server.SshArguments()).Append(command))
                info.ArgumentList.Add(a);
            return Process.Start(info)!;
        }
        using var master = Start("echo one; sleep 60", "-M", "-S", control, "-o", "ControlPersist=no");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("one", await master.StandardOutput.ReadLineAsync(cts.Token));
        using var second = Start("echo two; sleep 60", "-S", control, "-o", "ControlMaster=no");
        try
        {
            Assert.Equal("two", await second.StandardOutput.ReadLineAsync(cts.Token));
            // Both sessions share the master's connection: one login so far.
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(server.Log, "Accepted publickey"));
            var third = await server.SshAsync("echo three", options: ["-S", control, "-o", "ControlMaster=no"]);
            Assert.Contains("mux_client_request_session: session request failed: Session open refused by peer", third.StdErr);
        }
        finally
        {
            foreach (var p in new[] { second, master })
                if (!p.HasExited)
                    p.Kill(entireProcessTree: true);
        }
    }
}
