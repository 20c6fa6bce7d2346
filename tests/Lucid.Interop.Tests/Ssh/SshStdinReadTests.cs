using System.Diagnostics;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// An upload reads stdin in large pieces: each read becomes one socket write, and each send to an idle peer wakes
/// it, so the read size sets how often the server and the remote command are woken per GiB.
/// </summary>
public sealed class SshStdinReadTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const int Size = 256 << 20;

    [Fact]
    public async Task A_256_MiB_upload_from_a_file_takes_about_512_reads()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-stdin-").FullName;
        try
        {
            var input = Path.Combine(dir, "input");
            await using (var file = File.Create(input))
                file.SetLength(Size);
            // exec: the shell's pid becomes lucid's. The remote side reports the data's end, then holds the session
            // open so that the client's read count can be taken while it still runs.
            var command = string.Join(' ', new[] { Lucid.Executable, "ssh" }.Concat(_server.SshArguments())
                .Append("wc -c; sleep 20").Select(Quote));
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["-c", $"exec {command} < {Quote(input)}"])
                start.ArgumentList.Add(arg);
            using var ssh = Process.Start(start)!;
            try
            {
                var count = await ssh.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(Size.ToString(), count?.Trim());

                // read(2) calls so far: start-up (configuration, keys, the runtime's own files) is about 80 published,
                // 200 as the tests build it; 256 MiB in 512 KiB reads is 512 more, in 128 KiB reads 2,048 more.
                var reads = long.Parse(File.ReadLines($"/proc/{ssh.Id}/io").Single(line => line.StartsWith("syscr:"))["syscr:".Length..]);
                Assert.True(reads < 1000, $"{reads} read calls for 256 MiB of stdin");
            }
            finally
            {
                ssh.Kill();
                await ssh.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
