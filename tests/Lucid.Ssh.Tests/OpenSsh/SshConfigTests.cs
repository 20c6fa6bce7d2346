using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Tests.OpenSsh;

/// <summary>ssh_config behaviour that needs no OpenSSH binary: resolution order, Include roots, tokens, edits.</summary>
public sealed class SshConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-sshconfig-unit-").FullName;
    private static readonly SshConfigLocalUser Local = new("tester", 1234, "/home/tester", "box.example.net");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    private EffectiveSshConfig Resolve(string host, string? configFile = null, string[]? options = null,
        string? userFile = null, string? systemFile = null, Func<string, int>? exec = null) =>
        SshConfig.Resolve(host, new SshConfigResolveOptions
        {
            ConfigFile = configFile,
            UserConfigFile = userFile ?? Path.Combine(_dir, "absent-user-config"),
            SystemConfigFile = systemFile ?? Path.Combine(_dir, "absent-system-config"),
            SystemConfigDirectory = Path.Combine(_dir, "etc"),
            CommandLineOptions = options ?? [],
            LocalUser = Local,
            GetEnvironmentVariable = name => name switch { "HOME" => Path.Combine(_dir, "home"), "SHELL" => "/bin/sh", "V" => "val", _ => null },
            MatchExec = exec,
            Algorithms = SshConfigAlgorithms.OpenSsh92,
        });

    [Fact]
    public void User_file_is_read_before_the_system_file_and_the_first_value_wins()
    {
        var user = Write("user", "Host h\n  Port 1001\n");
        var system = Write("system", "Host *\n  Port 1002\n  User sysuser\n");
        var config = Resolve("h", userFile: user, systemFile: system);
        Assert.Equal(1001, config.Port);
        Assert.Equal("sysuser", config.User);
    }

    [Fact]
    public void Config_file_option_bypasses_both_user_and_system_files()
    {
        var user = Write("user", "Port 1001\n");
        var system = Write("system", "Port 1002\n");
        var f = Write("f", "User fromf\n");
        var config = Resolve("h", configFile: f, userFile: user, systemFile: system);
        Assert.Equal(22, config.Port);
        Assert.Equal("fromf", config.User);
    }

    [Fact]
    public void Command_line_options_come_first()
    {
        var f = Write("f", "Port 1001\nUser fileuser\n");
        var config = Resolve("h", configFile: f, options: ["Port=9", "User cli"]);
        Assert.Equal(9, config.Port);
        Assert.Equal("cli", config.User);
    }

    [Fact]
    public void System_file_includes_resolve_under_the_system_directory_and_may_not_use_tilde()
    {
        Write("etc/extra.conf", "Port 4242\n");
        var system = Write("system", "Include extra.conf\n");
        Assert.Equal(4242, Resolve("h", systemFile: system).Port);

        var bad = Write("system2", "Include ~/x.conf\n");
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", systemFile: bad));
        Assert.Equal($"{bad} line 1: bad include path ~/x.conf.", e.Lines[0]);
    }

    [Fact]
    public void User_file_includes_resolve_under_home_ssh()
    {
        Write("home/.ssh/inc/a.conf", "User a\n");
        Write("home/.ssh/inc/b.conf", "User b\nPort 7\n");
        var f = Write("f", "Include inc/*.conf\n");
        var config = Resolve("h", configFile: f);
        Assert.Equal("a", config.User);
        Assert.Equal(7, config.Port);
    }

    [Fact]
    public void Group_writable_included_file_is_refused()
    {
        if (OperatingSystem.IsWindows())
            return;
        var inc = Write("home/.ssh/loose.conf", "Port 1\n");
        File.SetUnixFileMode(inc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.GroupRead);
        var f = Write("f", "Include loose.conf\n");
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", configFile: f));
        Assert.Equal($"Bad owner or permissions on {inc}", e.Lines[^1]);
    }

    [Fact]
    public void Include_recursion_is_bounded()
    {
        Write("home/.ssh/loop.conf", "Include loop.conf\n");
        var f = Write("f", "Include loop.conf\n");
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", configFile: f));
        Assert.Equal("Too many recursive configuration includes", e.Lines[^1]);
    }

    [Fact]
    public void Match_exec_expands_tokens_and_is_skipped_after_a_failed_criterion()
    {
        var commands = new List<string>();
        var f = Write("f", "Match exec \"probe %h %p %r %u %n %i %d %L %l %%\"\n  User matched\nMatch host other exec never\n  Port 1\n");
        var config = Resolve("Web", configFile: f, exec: c => { commands.Add(c); return 0; });
        Assert.Equal(["probe Web 22 tester tester Web 1234 /home/tester box box.example.net %"], commands);
        Assert.Equal("matched", config.User);
    }

    [Fact]
    public void Match_exec_that_does_not_exit_normally_is_fatal()
    {
        var f = Write("f", "Match exec crash\n  User x\n");
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", configFile: f, exec: _ => -1));
        Assert.Equal($"{f} line 1: match exec 'crash' error", e.Lines[^1]);
    }

    [Fact]
    public void Real_shell_runs_match_exec()
    {
        if (OperatingSystem.IsWindows())
            return;
        var f = Write("f", "Match exec \"test %h = yes\"\n  Port 1\nMatch exec \"test %h = no\"\n  Port 2\n");
        Assert.Equal(1, Resolve("yes", configFile: f).Port);
    }

    [Fact]
    public void Typed_properties_reflect_the_configuration()
    {
        var f = Write("f", """
            Host h
              HostName %h.example.com
              StrictHostKeyChecking accept-new
              UserKnownHostsFile ~/.ssh/a %d/b ${V}/c
              ServerAliveInterval 1m
              ConnectTimeout 5
              AddressFamily inet6
              ProxyJump u@j1:2200,j2
              SetEnv A=1 B="x y"
              EscapeChar none
              LocalForward 80 web:8080
              DynamicForward 1080
              RekeyLimit 1M 1h
              Ciphers -chacha20-poly1305@openssh.com
            """);
        var c = Resolve("h", configFile: f);
        Assert.Equal("h.example.com", c.HostName);
        Assert.Equal(SshStrictHostKeyChecking.AcceptNew, c.StrictHostKeyChecking);
        Assert.Equal(["/home/tester/.ssh/a", "/home/tester/b", "val/c"], c.UserKnownHostsFiles);
        Assert.Equal(TimeSpan.FromMinutes(1), c.ServerAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), c.ConnectTimeout);
        Assert.Equal(SshAddressFamily.Inet6, c.AddressFamily);
        Assert.Equal(["u@j1:2200", "j2"], c.ProxyJump!);
        Assert.Equal([new("A", "1"), new KeyValuePair<string, string>("B", "x y")], c.SetEnv);
        Assert.Null(c.EscapeChar);
        Assert.Equal(new SshConfigForward(null, 80, null, "web", 8080, null), Assert.Single(c.LocalForwards));
        Assert.Equal(1080, Assert.Single(c.DynamicForwards).ListenPort);
        Assert.Equal(1 << 20, c.RekeyLimit);
        Assert.Equal(TimeSpan.FromHours(1), c.RekeyInterval);
        Assert.DoesNotContain("chacha20-poly1305@openssh.com", c.Ciphers);
        Assert.Equal("aes128-ctr", c.Ciphers[0]);
    }

    [Fact]
    public void Identity_paths_expand_when_used()
    {
        var f = Write("f", "IdentityFile ~/.ssh/id_%h_%r\nProxyCommand nc %h %p\n");
        var c = Resolve("Host1", configFile: f);
        Assert.Equal("~/.ssh/id_%h_%r", c.IdentityFiles[0]);
        Assert.Equal("/home/tester/.ssh/id_host1_tester", c.ExpandPath(c.IdentityFiles[0]));
        Assert.Equal("nc host1 22", c.ExpandCommand(c.ProxyCommand!));
    }

    [Fact]
    public void Algorithm_edits_apply_to_the_supplied_defaults()
    {
        var lists = SshConfigAlgorithms.OpenSsh92 with { DefaultCiphers = "aes256-gcm@openssh.com,aes128-ctr" };
        Assert.Equal("aes256-gcm@openssh.com,aes128-ctr,aes128-cbc", SshConfigAlgorithms.Assemble("+aes128-cbc", lists.DefaultCiphers, lists.AllCiphers));
        Assert.Equal("aes128-ctr", SshConfigAlgorithms.Assemble("-aes256*", lists.DefaultCiphers, lists.AllCiphers));
        Assert.Equal("3des-cbc,aes256-gcm@openssh.com,aes128-ctr", SshConfigAlgorithms.Assemble("^3des-cbc", lists.DefaultCiphers, lists.AllCiphers));
        Assert.Equal("aes128-ctr,aes192-ctr,aes256-ctr", SshConfigAlgorithms.Assemble("aes*-ctr", lists.DefaultCiphers, lists.AllCiphers));
        Assert.Null(SshConfigAlgorithms.Assemble("nonexistent*", lists.DefaultCiphers, lists.AllCiphers));
    }

    [Fact]
    public void Lucid_lists_are_the_default_and_refuse_what_Lucid_does_not_implement()
    {
        // Security keys (sk-*) are OpenSSH's and not Lucid's.
        var f = Write("f", "HostKeyAlgorithms +sk-ssh-ed25519@openssh.com\n");
        var e = Assert.Throws<SshConfigException>(() => SshConfig.Resolve("h", new SshConfigResolveOptions { ConfigFile = f, LocalUser = Local }));
        Assert.Equal($"{f} line 1: Bad key types '+sk-ssh-ed25519@openssh.com'.", e.Lines[0]);
        var ok = Write("g", "Ciphers -chacha20-poly1305@openssh.com\n");
        var c = SshConfig.Resolve("h", new SshConfigResolveOptions { ConfigFile = ok, LocalUser = Local });
        Assert.Equal(Lucid.Ssh.Crypto.AlgorithmRegistry.Defaults(Lucid.Ssh.Crypto.AlgorithmCategory.Cipher).Skip(1), c.Ciphers);
    }

    [Theory]
    [InlineData("a b", new[] { "a", "b" })]
    [InlineData("\"a b\" 'c d'", new[] { "a b", "c d" })]
    [InlineData("a\\ b", new[] { "a b" })]
    [InlineData("x#y # comment", new[] { "x#y" })]
    [InlineData("say\\\"hi", new[] { "say\"hi" })]
    [InlineData("c:\\dir", new[] { "c:\\dir" })]
    public void Arguments_split_like_openssh(string line, string[] expected) =>
        Assert.Equal(expected, SshConfigTokenizer.SplitArguments(line));

    [Fact]
    public void Unterminated_quote_is_reported() => Assert.Null(SshConfigTokenizer.SplitArguments("\"open"));

    [Theory]
    [InlineData("web1", "web?", true)]
    [InlineData("web10", "web?", false)]
    [InlineData("a.b.example.com", "*.example.com", true)]
    [InlineData("example.com", "*.example.com", false)]
    [InlineData("Web", "web", false)]
    public void Wildcards_match_like_openssh(string s, string pattern, bool expected) =>
        Assert.Equal(expected, SshConfigPatterns.Match(s, pattern));

    [Theory]
    [InlineData("db.prod", "*.prod,!db.*", -1)]
    [InlineData("web.prod", "*.prod,!db.*", 1)]
    [InlineData("web.dev", "*.prod,!db.*", 0)]
    public void Negated_list_entry_vetoes(string s, string list, int expected) =>
        Assert.Equal(expected, SshConfigPatterns.MatchList(s, list, false));

    [Theory]
    [InlineData("8080:localhost:80", false, false, null, 8080, "localhost", 80)]
    [InlineData("127.0.0.1:8080:[::1]:80", false, false, "127.0.0.1", 8080, "::1", 80)]
    [InlineData("1080", true, false, null, 1080, "socks", 0)]
    [InlineData("[::1]:1080", true, false, "::1", 1080, "socks", 0)]
    public void Forward_specs_parse(string spec, bool dynamic, bool remote, string? lh, int lp, string ch, int cp)
    {
        var f = SshConfigForward.Parse(spec, dynamic, remote, _ => null);
        Assert.Equal(new SshConfigForward(lh, lp, null, ch, cp, null), f);
    }

    [Theory]
    [InlineData("0:h:1")]
    [InlineData("1:h:0")]
    [InlineData("1:h")]
    [InlineData("a:b:c:d:e")]
    public void Bad_forward_specs_are_refused(string spec) => Assert.Null(SshConfigForward.Parse(spec, false, false, _ => null));

    [Fact]
    public void Client_options_take_what_the_client_acts_on()
    {
        var f = Write("f", """
            Host h
              User alice
              IdentityFile ~/.ssh/id_%h
              PasswordAuthentication no
              PreferredAuthentications gssapi-with-mic,publickey,password,keyboard-interactive
              NumberOfPasswordPrompts 1
              Ciphers aes256-gcm@openssh.com
              KexAlgorithms curve25519-sha256
              Compression yes
              RekeyLimit 1G 1h
              ConnectTimeout 7
              BatchMode yes
            """);
        var options = new Lucid.Ssh.Client.SshClientOptions { PasswordCallback = (_, _) => ValueTask.FromResult<string?>("x") };
        Resolve("h", configFile: f).ApplyTo(options);
        Assert.Equal("alice", options.User);
        Assert.Equal(["/home/tester/.ssh/id_h"], options.IdentityFiles);
        Assert.Equal(["publickey", "keyboard-interactive"], options.PreferredAuthentications);
        Assert.Equal(1, options.NumberOfPasswordPrompts);
        Assert.Equal(["aes256-gcm@openssh.com"], options.Ciphers!);
        Assert.Equal(["curve25519-sha256"], options.KexAlgorithms!);
        Assert.Null(options.HostKeyAlgorithms);
        Assert.True(options.Compression);
        Assert.Equal(1L << 30, options.RekeyLimitBytes);
        Assert.Equal(TimeSpan.FromHours(1), options.RekeyLimitTime);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ConnectTimeout);
        Assert.Null(options.PasswordCallback);
    }

    [Fact]
    public void Unknown_token_in_hostname_fails_like_openssh()
    {
        var f = Write("f", "HostName %x\n");
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", configFile: f));
        Assert.Equal(["vdollar_percent_expand: unknown key %x", "percent_expand: failed"], e.Lines);
    }

    [Fact]
    public void Missing_config_file_is_fatal()
    {
        var e = Assert.Throws<SshConfigException>(() => Resolve("h", configFile: Path.Combine(_dir, "nope")));
        Assert.Equal($"Can't open user config file {Path.Combine(_dir, "nope")}: No such file or directory", e.Lines[^1]);
        Assert.Equal(255, e.ExitCode);
    }
}
