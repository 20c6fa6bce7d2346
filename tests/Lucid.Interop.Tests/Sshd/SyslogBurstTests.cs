using System.Net.Sockets;
using System.Text;
using Lucid.Cli.Platform;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// The kernel queues only max_dgram_qlen datagrams (10 by default) for a syslog daemon that has not read them
/// yet; sshd at LogLevel DEBUG writes more than that for one connection. Lines beyond it wait in the
/// writer's queue instead of being dropped, and the caller never waits for the daemon.
/// </summary>
public sealed class SyslogBurstTests
{
    [Fact]
    public async Task A_burst_larger_than_the_kernels_queue_arrives_whole_and_in_order()
    {
        var directory = Directory.CreateTempSubdirectory("lucid-syslog-").FullName;
        try
        {
            var path = Path.Combine(directory, "log");
            using var daemon = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            daemon.Bind(new UnixDomainSocketEndPoint(path));

            const int Lines = 200;
            using (var syslog = new Syslog("sshd", facility: 4, path))
            {
                var started = DateTime.UtcNow;
                for (var i = 0; i < Lines; i++)
                    syslog.Write(Syslog.Info, $"line {i}");
                Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "Write waited for the daemon");

                // The daemon starts reading only now, long after its queue filled.
                await Task.Delay(300);
                var buffer = new byte[1024];
                for (var i = 0; i < Lines; i++)
                {
                    var n = await daemon.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
                    Assert.EndsWith($"sshd[{Environment.ProcessId}]: line {i}", Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
