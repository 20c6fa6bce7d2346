using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Sshd;

/// <summary>
/// `lucid sshd`: OpenSSH's sshd flags and files. Without -f it needs no setup at all: it listens on
/// 127.0.0.1:2222 with host keys kept under ~/.lucid/ and the current user's authorized_keys.
/// </summary>
internal static class SshdTool
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == SshdExec.Flag)
            return SshdExec.Run(args[1..]);
        SshdDaemon.WriteConsoleToDescriptors();
        var stderr = Console.Error;
        var arguments = SshdArguments.Parse(args, stderr);
        if (arguments is null)
            return 1;
        if (arguments.ShowVersion)
        {
            stderr.Write(Lucid.Ssh.LucidVersion.Banner + "\n");
            return 0;
        }
        if (arguments.ConnectionSpecs.Count > 0 && arguments.TestMode < 2)
        {
            stderr.Write("Config test connection parameter (-C) provided without test mode (-T)\n");
            return 255;
        }

        SshdConfig config;
        try
        {
            config = LoadConfig(arguments);
        }
        catch (SshdConfigException e)
        {
            stderr.Write(e.Message + "\n");
            return e.ExitCode;
        }
        foreach (var warning in config.Warnings)
            stderr.Write(warning + "\n");

        var hostKeys = SshdHostKeys.Load(config, createMissing: arguments.ConfigFile is null && arguments.HostKeys.Count == 0, stderr);
        if (hostKeys is null)
            return 1;

        if (arguments.TestMode == 2)
        {
            SshdConfig effective;
            try
            {
                effective = config.ForConnection(SshdMatchContext.ParseTestSpec(arguments.ConnectionSpecs, Platform.Users.GroupNamesOf));
            }
            catch (SshdConfigException e)
            {
                stderr.Write(e.Message + "\n");
                return e.ExitCode;
            }
            var output = new StringWriter { NewLine = "\n" };
            effective.WriteEffective(output);
            Console.Out.Write(output.ToString());
        }
        if (arguments.TestMode > 0)
            return 0;

        // sshd without -D (or -d, or -i) goes to the background once it listens. `lucid sshd` with no -f is the
        // try-it-now mode that prints how to connect and stops with Ctrl-C, so it stays in the foreground.
        if (!arguments.NoDetach && !arguments.Debug && !arguments.Inetd && arguments.ConfigFile is not null && !SshdDaemon.IsDetachedChild)
            return SshdDaemon.Detach(args);

        return await SshdHost.RunAsync(arguments, config, hostKeys);
    }

    /// <summary>The sftp server Debian's openssh-sftp-server installs (the zero-configuration sftp subsystem).</summary>
    internal const string DefaultSftpServer = "/usr/lib/openssh/sftp-server";

    /// <summary>The named file as OpenSSH reads it; with no -f, Lucid's ready-to-run defaults.</summary>
    internal static SshdConfig LoadConfig(SshdArguments arguments)
    {
        if (arguments.ConfigFile is not null)
            return SshdConfig.Load(arguments.ConfigFile, arguments.Options, arguments.Ports, arguments.HostKeys);

        var options = new List<string>(arguments.Options);
        var given = SshdConfig.Load(null, arguments.Options, arguments.Ports, arguments.HostKeys);
        if (given.Raw("listenaddress") is null)
            options.Add("ListenAddress 127.0.0.1");
        // scp and sftp need the sftp subsystem; Debian's server until Lucid has its own.
        if (!given.Subsystems.ContainsKey("sftp") && File.Exists(DefaultSftpServer))
            options.Add($"Subsystem sftp {DefaultSftpServer}");
        var ports = arguments.Ports.Count > 0 || given.Raw("port") is not null ? arguments.Ports : [2222];
        var hostKeys = arguments.HostKeys.Count > 0 || given.Raw("hostkey") is not null ? arguments.HostKeys : SshdHostKeys.DefaultLucidPaths();
        return SshdConfig.Load(null, options, ports, hostKeys);
    }
}
