using System.Globalization;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;

namespace Lucid.Bench;

/// <summary>The `--name value` options of the load modes, and the client options they imply.</summary>
public sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static BenchOptions Parse(ReadOnlySpan<string> args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            o._values[args[i][2..]] = args[++i];
        }
        return o;
    }

    public string Get(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int GetInt(string name, int? fallback = null) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture)
            : fallback ?? throw new ArgumentException($"--{name} is required");

    public double GetDouble(string name, double fallback) =>
        _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Host => Get("host", "127.0.0.1");
    public int Port => GetInt("port");

    /// <summary>Client options for the benchmark: one key, any host key accepted (loopback only), curve25519-sha256.</summary>
    public SshClientOptions ClientOptions()
    {
        var key = OpenSshPrivateKeyFormat.Read(File.ReadAllText(Get("key")), null);
        var options = new SshClientOptions
        {
            User = Get("user"),
            HostKeyVerifier = (_, _) => ValueTask.FromResult(true),
            PreferredAuthentications = ["publickey"],
            KexAlgorithms = [Get("kex", "curve25519-sha256")],
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        options.Identities.Add(key);
        if (_values.TryGetValue("cipher", out var cipher))
            options.Ciphers = [cipher];
        if (_values.TryGetValue("mac", out var mac))
            options.Macs = [mac];
        return options;
    }
}
