using System.Globalization;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lucid.Cli.Platform;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Agent;

/// <summary>
/// `lucid ssh-agent`: OpenSSH's flags, output and socket places (<see cref="AgentSocketPlace"/>). Without -D/-d the
/// socket is bound here, then a background agent is started that inherits the listening socket (.NET cannot fork;
/// binding first keeps OpenSSH's order: the socket exists before the shell commands are printed or the command
/// runs). With a command the command runs with SSH_AUTH_SOCK and SSH_AGENT_PID set, and the agent is stopped when
/// it exits, whose status becomes ours.
/// </summary>
internal static class SshAgentTool
{
    /// <summary>
    /// In the background agent: the inherited listening descriptor, its socket path and private directory, and the
    /// write end of a pipe on which it says it is ready.
    /// </summary>
    private const string ChildVariable = "LUCID_AGENT_DETACHED";

    /// <summary>How long the first process waits for the background agent to be ready (a JIT start is ~0.1 s).</summary>
    private static readonly TimeSpan ReadyPatience = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        if (TakeChildMarker() is { } child)
            return await ServeDetachedAsync(child, args);

        var (parsed, error, code) = AgentArguments.Parse(args);
        if (parsed is null)
        {
            (code == 0 ? Console.Out : Console.Error).WriteLine(error);
            return code;
        }
        var a = parsed;
        bool csh = a.CShell;
        if (a.Command.Length == 0 && !a.CShell && !a.BourneShell &&
            Environment.GetEnvironmentVariable("SHELL") is { Length: > 2 } shell && shell.EndsWith("csh", StringComparison.Ordinal))
            csh = true;
        if (a.Kill)
            return KillAgent(csh);

        AgentSocketPlace place;
        try
        {
            place = a.SocketPath is { } given ? AgentSocketPlace.Given(given)
                : a.TempDirectory ? AgentSocketPlace.InTempDirectory(Environment.ProcessId)
                : AgentSocketPlace.InHome(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home
                    : throw new IOException("Couldn't determine home directory"));
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(a.TempDirectory ? $"mkdtemp: private socket dir: {e.Message}" : e.Message);
            return 1;
        }

        Socket listener;
        try
        {
            listener = AgentListener.Bind(place.Path);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"unix_listener: cannot bind to path {place.Path}: {e.Message}");
            if (place.PrivateDirectory is not null)
                Directory.Delete(place.PrivateDirectory);
            return 1;
        }

        if (a.Foreground || a.Debug)
        {
            Console.Out.Write(EnvironmentLines(csh, place.Path, null));
            Console.Out.Write($"echo Agent pid {Environment.ProcessId};\n");
            Console.Out.Flush();
            return await ServeAsync(listener, place, a.Lifetime, a.Hash, a.Debug);
        }

        int agentPid = StartBackgroundAgent(listener, place, a);
        // Our copy of the listening socket is closed by number: disposing the Socket would unlink the socket file
        // that the agent now serves (.NET removes the path of a Unix socket it bound).
        var fd = listener.Handle;
        GC.SuppressFinalize(listener);
        listener.SafeHandle.SetHandleAsInvalid();
        Libc.close((int)fd);
        if (a.Command.Length == 0)
        {
            Console.Out.Write(EnvironmentLines(csh, place.Path, agentPid));
            Console.Out.Write($"echo Agent pid {agentPid};\n");
            return 0;
        }
        return RunCommand(a.Command, place.Path, agentPid);
    }

    /// <summary>What the shell evaluates: SSH_AUTH_SOCK (and SSH_AGENT_PID) set and exported, sh or csh style.</summary>
    private static string EnvironmentLines(bool csh, string socket, int? pid)
    {
        string Line(string name, string value) => csh ? $"setenv {name} {value};\n" : $"{name}={value}; export {name};\n";
        var text = Line(SshAgentClient.SocketVariable, ShellQuote(socket));
        if (pid is { } p)
            text += Line("SSH_AGENT_PID", p.ToString(CultureInfo.InvariantCulture));
        return text;
    }

    /// <summary>OpenSSH's argv_assemble for one word: as is when safe, otherwise single-quoted.</summary>
    private static string ShellQuote(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+,:@%=".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    private static int KillAgent(bool csh)
    {
        var text = Environment.GetEnvironmentVariable("SSH_AGENT_PID");
        if (text is null)
        {
            Console.Error.WriteLine("SSH_AGENT_PID not set, cannot kill agent");
            return 1;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid < 2)
        {
            Console.Error.WriteLine($"SSH_AGENT_PID=\"{text}\", which is not a good PID: {(int.TryParse(text, out var n) && n < 2 ? "too small" : "invalid")}");
            return 1;
        }
        if (Spawn.Kill(pid, 15) != 0)
        {
            Console.Error.WriteLine($"kill: {Marshal.GetLastPInvokeErrorMessage()}");
            return 1;
        }
        var unset = csh ? "unsetenv {0};\n" : "unset {0};\n";
        Console.Out.Write(string.Format(CultureInfo.InvariantCulture, unset, SshAgentClient.SocketVariable));
        Console.Out.Write(string.Format(CultureInfo.InvariantCulture, unset, "SSH_AGENT_PID"));
        Console.Out.Write($"echo Agent pid {pid} killed;\n");
        return 0;
    }

    /// <summary>
    /// Starts the background agent and returns its pid once it is ready: its signal handlers are in place, so an
    /// `ssh-agent -k` (or the end of a command) right after we return stops it cleanly, socket removed. Forked,
    /// OpenSSH's agent is ready in microseconds; a new .NET process needs a moment the caller must not see.
    /// </summary>
    private static int StartBackgroundAgent(Socket listener, AgentSocketPlace place, AgentArguments a)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the lucid executable");
        var fd = listener.Handle;
        AgentNative.Inherit(fd);
        using var ready = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var environment = new List<KeyValuePair<string, string>>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment.Add(new((string)e.Key, (string?)e.Value ?? ""));
        environment.Add(new(ChildVariable, string.Join('\n',
            fd.ToString(CultureInfo.InvariantCulture), place.Path, place.PrivateDirectory ?? "", ready.GetClientHandleAsString())));
        var argv = new List<string> { self, "ssh-agent", "-D", "-E", KeyFingerprint.HashName(a.Hash).ToLowerInvariant() };
        if (a.Lifetime > 0)
            argv.AddRange(["-t", a.Lifetime.ToString(CultureInfo.InvariantCulture)]);
        var devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        int pid;
        try
        {
            pid = Spawn.Start(self, argv, environment, new Spawn.Stdio { Input = devNull, Output = devNull, Error = devNull }, "/", newSession: true);
        }
        finally
        {
            Libc.close(devNull);
            ready.DisposeLocalCopyOfClientHandle();
        }
        // One byte when ready; end of file if it died first. Either way, waiting longer would not help.
        var said = ready.ReadAsync(new byte[1]).AsTask();
        Task.WhenAny(said, Task.Delay(ReadyPatience)).GetAwaiter().GetResult();
        return pid;
    }

    private static (nint Fd, AgentSocketPlace Place, string ReadyPipe)? TakeChildMarker()
    {
        var value = Environment.GetEnvironmentVariable(ChildVariable);
        Environment.SetEnvironmentVariable(ChildVariable, null);
        var parts = value?.Split('\n');
        if (parts is not { Length: 4 } || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            return null;
        AgentNative.CloseOnExec(fd);
        return (fd, new AgentSocketPlace(parts[1], parts[2].Length > 0 ? parts[2] : null), parts[3]);
    }

    private static Task<int> ServeDetachedAsync((nint Fd, AgentSocketPlace Place, string ReadyPipe) child, string[] args)
    {
        var (parsed, _, _) = AgentArguments.Parse(args);
        var listener = new Socket(new SafeSocketHandle(child.Fd, ownsHandle: true));
        return ServeAsync(listener, child.Place, parsed?.Lifetime ?? 0, parsed?.Hash ?? FingerprintHash.Sha256, debug: false,
            ready: () =>
            {
                using var pipe = new AnonymousPipeClientStream(PipeDirection.Out, child.ReadyPipe);
                pipe.WriteByte(1);
            });
    }

    /// <summary>Serves until SIGTERM, SIGHUP or SIGINT; then removes the socket (and -T's directory) and wipes the keys.</summary>
    private static async Task<int> ServeAsync(Socket listener, AgentSocketPlace place, int lifetime, FingerprintHash hash, bool debug,
        Action? ready = null)
    {
        using var stop = new CancellationTokenSource();
        int signalled = 0;
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT }
            .Select(s => PosixSignalRegistration.Create(s, context =>
            {
                context.Cancel = true;
                signalled = (int)context.Signal;
                stop.Cancel();
            })).ToList();
        ready?.Invoke();
        Action<string> log = line => Console.Error.WriteLine(line);
        using var server = new SshAgentServer(new SshAgentServerOptions
        {
            Confirm = AgentConfirm.AskAsync,
            DefaultLifetime = lifetime > 0 ? TimeSpan.FromSeconds(lifetime) : null,
            FingerprintHash = hash,
            Log = debug ? log : null,
        });
        try
        {
            using (listener)
                await new AgentListener(listener, server, log).RunAsync(stop.Token);
        }
        finally
        {
            place.Remove();
            foreach (var registration in registrations)
                registration.Dispose();
        }
        if (debug)
            Console.Error.WriteLine("exiting on signal " + SignalNumber(signalled));
        return 2;
    }

    private static int SignalNumber(int posixSignal) => posixSignal switch
    {
        (int)PosixSignal.SIGTERM => 15,
        (int)PosixSignal.SIGHUP => 1,
        (int)PosixSignal.SIGINT => 2,
        _ => posixSignal,
    };

    /// <summary>ssh-agent command: runs it with the agent's variables, stops the agent after, and passes its status on.</summary>
    private static int RunCommand(string[] command, string socket, int agentPid)
    {
        var program = FindInPath(command[0]);
        if (program is null)
        {
            Console.Error.WriteLine($"{command[0]}: No such file or directory");
            Spawn.Kill(agentPid, 15);
            return 1;
        }
        var environment = new Dictionary<string, string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment[(string)e.Key] = (string?)e.Value ?? "";
        environment[SshAgentClient.SocketVariable] = socket;
        environment["SSH_AGENT_PID"] = agentPid.ToString(CultureInfo.InvariantCulture);
        int pid;
        try
        {
            pid = Spawn.Start(program, command, environment, new Spawn.Stdio { Input = 0, Output = 1, Error = 2 }, null, newSession: false);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"{command[0]}: {e.Message}");
            Spawn.Kill(agentPid, 15);
            return 1;
        }
        var (exit, signal, _) = Spawn.Wait(pid);
        Spawn.Kill(agentPid, 15);
        return exit ?? 128 + (signal ?? 0);
    }

    private static string? FindInPath(string name)
    {
        if (name.Contains('/'))
            return File.Exists(name) ? name : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
