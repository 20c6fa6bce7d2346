namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The values a pass over the configuration obtained, by canonical keyword. A keyword is absent until
/// some line sets it; the effective configuration supplies OpenSSH's defaults for absent ones.
/// </summary>
internal sealed class SshdConfigStore
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public bool IsSet(string keyword) => _values.ContainsKey(keyword);

    public IReadOnlyList<string>? Get(string keyword) => _values.GetValueOrDefault(keyword);

    public string? GetOne(string keyword) => _values.TryGetValue(keyword, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>First value wins: sets only when nothing set the keyword before.</summary>
    public void SetFirst(string keyword, params IEnumerable<string> values)
    {
        if (!_values.ContainsKey(keyword))
            _values[keyword] = [.. values];
    }

    /// <summary>Keywords whose lines add up (Port, HostKey, AllowUsers, AcceptEnv, Subsystem ...).</summary>
    public void Append(string keyword, params IEnumerable<string> values)
    {
        if (!_values.TryGetValue(keyword, out var list))
            _values[keyword] = list = [];
        list.AddRange(values);
    }

    public void Replace(string keyword, params IEnumerable<string> values) => _values[keyword] = [.. values];

    /// <summary>Match results override what the global pass set, keyword by keyword (copy_set_server_options).</summary>
    public SshdConfigStore OverlaidWith(SshdConfigStore matched)
    {
        var result = new SshdConfigStore();
        foreach (var (k, v) in _values)
            result._values[k] = [.. v];
        foreach (var (k, v) in matched._values)
            result._values[k] = [.. v];
        return result;
    }

    public IEnumerable<string> Keywords => _values.Keys;
}
