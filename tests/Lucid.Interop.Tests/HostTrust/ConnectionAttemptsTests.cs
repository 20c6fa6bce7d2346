namespace Lucid.Interop.Tests.HostTrust;

/// <summary>ConnectionAttempts: the TCP connection is retried, a second apart, before OpenSSH's final error.</summary>
public sealed class ConnectionAttemptsTests
{
    [Fact]
    public async Task A_refused_connection_is_tried_again_then_reported_like_OpenSSH()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString();
        listener.Stop();
        string[] args = ["-F", "/dev/null", "-v", "-o", "ConnectionAttempts=2", "-o", "BatchMode=yes", "-p", port, "127.0.0.1", "true"];
        var ours = await Lucid.RunAsync(["ssh", .. args]);
        var theirs = await ProcessRunner.RunAsync("ssh", args);
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        static string[] Lines(string err, string prefix) => [.. err.Split("\r\n").Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];
        Assert.Equal(Lines(theirs.StdErr, "debug1: Trying again"), Lines(ours.StdErr, "debug1: Trying again"));
        Assert.Single(Lines(ours.StdErr, "debug1: Trying again"));
        Assert.Equal(Lines(theirs.StdErr, "ssh: connect to host"), Lines(ours.StdErr, "ssh: connect to host"));
        Assert.Equal($"ssh: connect to host 127.0.0.1 port {port}: Connection refused", Lines(ours.StdErr, "ssh: connect to host").Single());
    }
}
