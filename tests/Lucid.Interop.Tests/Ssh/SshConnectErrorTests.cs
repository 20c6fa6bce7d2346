using System.Net;
using System.Net.Sockets;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>Failures before SSH starts: name resolution and TCP, worded and exited as OpenSSH's ssh.</summary>
public sealed class SshConnectErrorTests
{
    [Fact]
    public async Task Connection_refused()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var result = await Lucid.RunAsync("ssh", "-F", "/dev/null", "-p", port.ToString(), "127.0.0.1", "true");
        Assert.Equal(255, result.ExitCode);
        Assert.Equal($"ssh: connect to host 127.0.0.1 port {port}: Connection refused\r\n", result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task Connect_timeout_against_a_server_that_never_answers_is_worded_like_openssh()
    {
        // A listener whose accept queue is full drops further SYNs, so the TCP connect itself never completes.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    filler.Connect(IPAddress.Loopback, port);
                }
                catch (SocketException)
                {
                    // In progress (or dropped): either way it occupies the queue or shows it is full.
                }
                fillers.Add(filler);
            }
            await Task.Delay(300);
            string[] args = ["-F", "/dev/null", "-o", "ConnectTimeout=1", "-o", "BatchMode=yes", "-p", port.ToString(), "127.0.0.1", "true"];
            var real = await ProcessRunner.RunAsync("ssh", args);
            var ours = await Lucid.RunAsync(["ssh", .. args]);
            Assert.Equal($"ssh: connect to host 127.0.0.1 port {port}: Connection timed out\r\n", real.StdErr);
            Assert.Equal(real.StdErr, ours.StdErr);
            Assert.Equal(255, ours.ExitCode);
        }
        finally
        {
            foreach (var filler in fillers)
                filler.Dispose();
        }
    }

    [Fact]
    public async Task Unresolvable_host_is_named_like_openssh()
    {
        var real = await ProcessRunner.RunAsync("ssh", ["-F", "/dev/null", "no-such-host.invalid", "true"]);
        var ours = await Lucid.RunAsync("ssh", "-F", "/dev/null", "No-Such-Host.invalid", "true");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(real.StdErr, ours.StdErr);
    }

    [Fact]
    public async Task Quiet_suppresses_the_message_but_not_the_status()
    {
        var result = await Lucid.RunAsync("ssh", "-q", "-F", "/dev/null", "no-such-host.invalid", "true");
        Assert.Equal(255, result.ExitCode);
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task Log_file_receives_the_messages()
    {
        var log = Path.GetTempFileName();
        try
        {
            var result = await Lucid.RunAsync("ssh", "-E", log, "-F", "/dev/null", "no-such-host.invalid", "true");
            Assert.Equal(255, result.ExitCode);
            Assert.Equal("", result.StdErr);
            Assert.Equal("ssh: Could not resolve hostname no-such-host.invalid: Name or service not known\r\n", File.ReadAllText(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
