using System.Net;
using System.Net.Sockets;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Secure defaults, graded by ssh-audit (Debian's package, installed by test.sh): `lucid sshd` with no
/// configuration at all, and with a configuration that has no algorithm lines (host keys of every type Debian
/// makes), gets no [fail] — where OpenSSH's own defaults fail on the NIST curves.
/// </summary>
public sealed class SshdAuditTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> AuditAsync(int port)
    {
        var r = await ProcessRunner.RunAsync("ssh-audit", ["-n", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"],
            timeout: TimeSpan.FromSeconds(120));
        Assert.Contains("(kex) curve25519-sha256", r.StdOut); // it did grade the server
        return r.StdOut;
    }

    private static async Task<string> RunServerAndAuditAsync(IDictionary<string, string> env, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Lucid.Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            info.Environment[k] = v;
        using var process = System.Diagnostics.Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
                log.Append(e.Data).Append('\n');
            if (e.Data?.StartsWith("Server listening on", StringComparison.Ordinal) == true)
                listening.TrySetResult();
        };
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var port = int.Parse(args[Array.IndexOf(args, "-p") + 1], System.Globalization.CultureInfo.InvariantCulture);
            return await AuditAsync(port);
        }
        catch (TimeoutException)
        {
            lock (log)
                throw new InvalidOperationException($"lucid sshd did not start\n{log}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static void AssertNoFail(string report) =>
        Assert.True(!report.Contains("[fail]", StringComparison.Ordinal), report);

    [Fact]
    public async Task Zero_configuration_server_has_no_ssh_audit_failures()
    {
        var home = Directory.CreateTempSubdirectory("lucid-audit-home-").FullName;
        try
        {
            var report = await RunServerAndAuditAsync(new Dictionary<string, string> { ["HOME"] = home },
                "sshd", "-D", "-e", "-p", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            AssertNoFail(report);
            Assert.Contains("(key) ssh-ed25519", report);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Configuration_without_algorithm_lines_has_no_ssh_audit_failures_even_with_an_ECDSA_host_key()
    {
        var dir = Directory.CreateTempSubdirectory("lucid-audit-").FullName;
        try
        {
            var config = new System.Text.StringBuilder("ListenAddress 127.0.0.1\n");
            foreach (var type in new[] { "rsa", "ecdsa", "ed25519" })
            {
                var key = Path.Combine(dir, $"ssh_host_{type}_key");
                Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", key])).ExitCode);
                config.Append($"HostKey {key}\n");
            }
            var file = Path.Combine(dir, "sshd_config");
            await File.WriteAllTextAsync(file, config.ToString());
            var report = await RunServerAndAuditAsync(new Dictionary<string, string>(),
                "sshd", "-D", "-e", "-f", file, "-p", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            AssertNoFail(report);
            Assert.DoesNotContain("ecdsa-sha2-nistp", report);
            Assert.DoesNotContain("ecdh-sha2-nistp", report);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
