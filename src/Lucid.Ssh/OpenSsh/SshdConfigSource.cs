namespace Lucid.Ssh.OpenSsh;

/// <summary>The text a configuration was built from, kept so Match blocks can be replayed per connection.</summary>
internal sealed class SshdConfigSource(string file, string[] lines, string includeBase)
{
    private readonly List<string> _warnings = [];
    private SshdConfigParser? _parser;

    public string File { get; } = file;
    public string[] Lines { get; } = lines;
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Set once the global pass is done.</summary>
    public bool Loaded { get; set; }

    public void Report(string message)
    {
        lock (_warnings)
            _warnings.Add(message);
    }

    /// <summary>One parser per source, so included files are read once (sshd caches them the same way).</summary>
    public SshdConfigParser NewParser() =>
        _parser ??= new SshdConfigParser(includeBase, w =>
        {
            // Only the load reports; per-connection replays meet the same lines again.
            lock (_warnings)
                if (!Loaded)
                    _warnings.Add(w);
        });
}
