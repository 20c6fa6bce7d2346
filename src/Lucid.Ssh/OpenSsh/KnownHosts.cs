using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// OpenSSH's known_hosts files read together (user files first, then the global ones, as ssh reads them):
/// plain and wildcard host patterns with "!" negation, "[host]:port" names, hashed "|1|salt|hash" names,
/// several keys per host, "@cert-authority" and "@revoked" lines, comments. Every answer names the file and
/// line that decided it.
/// </summary>
public sealed class KnownHosts
{
    private readonly List<KnownHostsEntry> _entries = [];
    private readonly List<string> _errors = [];

    /// <summary>Every key line read, in file order.</summary>
    public IReadOnlyList<KnownHostsEntry> Entries => _entries;

    /// <summary>"file:line: reason" for each line that was skipped because it is not a valid entry.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Reads every file that exists; missing files are simply empty, invalid lines are skipped.</summary>
    public static KnownHosts Load(IEnumerable<string> paths)
    {
        var result = new KnownHosts();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
                continue;
            result.Add(path, File.ReadLines(path));
        }
        return result;
    }

    /// <summary>Parses known_hosts text as if read from <paramref name="file"/>.</summary>
    public static KnownHosts Parse(string text, string file = "known_hosts")
    {
        var result = new KnownHosts();
        result.Add(file, text.Split('\n'));
        return result;
    }

    private void Add(string file, IEnumerable<string> lines)
    {
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            var entry = KnownHostsEntry.Parse(file, number, line, out var error);
            if (entry is not null)
                _entries.Add(entry);
            else if (error is not null)
                _errors.Add($"{file}:{number}: {error}");
        }
    }

    /// <summary>The name known_hosts uses for a host: "host" on port 22, "[host]:port" otherwise.</summary>
    public static string HostName(string host, int port) => KnownHostsMatcher.HostName(host, port);

    /// <summary>The hashed form of a host name: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).</summary>
    public static string Hash(string name, byte[] salt) => KnownHostsMatcher.Hash(name, salt);

    /// <summary>Every entry (of any marker) whose host field matches the host, in file order; negated lines are left out.</summary>
    public IEnumerable<KnownHostsEntry> Lookup(string host, int port)
    {
        var name = HostName(host, port);
        return _entries.Where(e => e.Match(name) is KnownHostsMatch.Pattern or KnownHostsMatch.Hashed);
    }

    /// <summary>
    /// Looks a host's key up as ssh does: revoked (an @revoked line for the host lists this key), known (a plain
    /// line for the host lists it), changed (the host has another key of the same type) or unknown.
    /// </summary>
    public KnownHostsResult Check(string host, int port, string keyType, ReadOnlySpan<byte> blob)
    {
        var matching = Lookup(host, port).ToList();
        // A revoked key is refused wherever the revocation sits in the files, before any positive match.
        foreach (var entry in matching)
            if (entry.Marker == KnownHostsMarker.Revoked && entry.Blob.AsSpan().SequenceEqual(blob))
                return new KnownHostsResult(KnownHostsStatus.Revoked, entry.File, entry.Line);
        KnownHostsResult? changed = null;
        var otherTypes = false;
        foreach (var entry in matching)
        {
            if (entry.Marker != KnownHostsMarker.None)
                continue;
            if (entry.Blob.AsSpan().SequenceEqual(blob))
                return new KnownHostsResult(KnownHostsStatus.Known, entry.File, entry.Line);
            if (entry.KeyType == keyType)
                changed ??= new KnownHostsResult(KnownHostsStatus.Changed, entry.File, entry.Line);
            else
                otherTypes = true;
        }
        return changed ?? new KnownHostsResult(KnownHostsStatus.Unknown, OtherTypesKnown: otherTypes);
    }

    /// <summary>
    /// Checks the signing CA of a host certificate: known when an @cert-authority line for the host lists the CA
    /// key, revoked when an @revoked line for the host lists it, unknown otherwise.
    /// </summary>
    public KnownHostsResult CheckCertificateAuthority(string host, int port, ReadOnlySpan<byte> caBlob)
    {
        var matching = Lookup(host, port).ToList();
        foreach (var entry in matching)
            if (entry.Marker == KnownHostsMarker.Revoked && entry.Blob.AsSpan().SequenceEqual(caBlob))
                return new KnownHostsResult(KnownHostsStatus.Revoked, entry.File, entry.Line);
        foreach (var entry in matching)
            if (entry.Marker == KnownHostsMarker.CertAuthority && entry.Blob.AsSpan().SequenceEqual(caBlob))
                return new KnownHostsResult(KnownHostsStatus.Known, entry.File, entry.Line);
        return new KnownHostsResult(KnownHostsStatus.Unknown);
    }

    /// <summary>
    /// Looks a host certificate up as ssh does (hostfile.c check_hostkeys_by_key_or_type): revoked when an @revoked line
    /// for the host lists the certified key or the signing CA, known when an @cert-authority line for the host lists the
    /// CA (File and Line name it), unknown otherwise. Whether the certificate itself is valid for the host is
    /// <see cref="SshCertificateValidation.CheckHost"/>'s question.
    /// </summary>
    public KnownHostsResult CheckCertificate(string host, int port, SshCertificate certificate)
    {
        var matching = Lookup(host, port).ToList();
        foreach (var entry in matching)
        {
            if (entry.Marker == KnownHostsMarker.Revoked &&
                (entry.Blob.AsSpan().SequenceEqual(certificate.Key.Blob.Span) || entry.Blob.AsSpan().SequenceEqual(certificate.SignatureKey.Blob.Span)
                 || entry.Blob.AsSpan().SequenceEqual(certificate.Blob.Span)))
                return new KnownHostsResult(KnownHostsStatus.Revoked, entry.File, entry.Line);
        }
        return CheckCertificateAuthority(host, port, certificate.SignatureKey.Blob.Span);
    }

    /// <summary>
    /// OpenSSH's order_hostkeyalgs (sshconnect2.c), used when HostKeyAlgorithms is not set or only edited with + or -: the
    /// list as it is when known_hosts holds a plain key of the type of its first algorithm; otherwise the algorithms the
    /// host's lines vouch for first (every certificate algorithm when an @cert-authority line matches the host, the
    /// algorithms of the key types recorded for it), the rest after them, each group in the original order.
    /// <paramref name="debug3"/> receives ssh's debug3 lines on the choice.
    /// </summary>
    public IReadOnlyList<string> PreferKnownAlgorithms(string host, int port, IReadOnlyList<string> algorithms, Action<string>? debug3 = null)
    {
        if (algorithms.Count == 0)
            return algorithms;
        var matching = Lookup(host, port).ToList();
        bool KeyKnown(string algorithm) => PlainKeyTypeOf(algorithm) is { } type &&
            matching.Any(e => e.Marker == KnownHostsMarker.None && e.KeyType == type);
        if (KeyKnown(algorithms[0]))
        {
            debug3?.Invoke($"order_hostkeyalgs: have matching best-preference key type {algorithms[0]}, using HostkeyAlgorithms verbatim");
            return algorithms;
        }
        bool authorityKnown = matching.Any(e => e.Marker == KnownHostsMarker.CertAuthority);
        var first = new List<string>();
        var last = new List<string>();
        foreach (var algorithm in algorithms)
        {
            bool certificate = AlgorithmRegistry.FindHostKey(algorithm)?.IsCertificate == true;
            (certificate && authorityKnown || KeyKnown(algorithm) ? first : last).Add(algorithm);
        }
        debug3?.Invoke(first.Count == 0
            ? "order_hostkeyalgs: no algorithms matched; accept original"
            : $"order_hostkeyalgs: prefer hostkeyalgs: {string.Join(',', first)}");
        return [.. first, .. last];
    }

    // rsa-sha2-512 → ssh-rsa, ssh-ed25519-cert-v01@openssh.com → ssh-ed25519 (sshkey_type_plain).
    private static string? PlainKeyTypeOf(string algorithm) =>
        AlgorithmRegistry.FindHostKey(algorithm) is { } info ? SshCertificate.PlainTypeOf(info.KeyType) ?? info.KeyType : null;

    /// <summary>The line ssh writes for a newly accepted key: "name keytype base64", the name hashed when asked.</summary>
    public static string FormatLine(string host, int port, string keyType, ReadOnlySpan<byte> blob, bool hash = false)
    {
        var name = HostName(host, port);
        if (hash)
            name = KnownHostsMatcher.Hash(name, RandomNumberGenerator.GetBytes(20));
        return $"{name} {keyType} {Convert.ToBase64String(blob)}";
    }

    /// <summary>Appends "name keytype base64" to <paramref name="path"/>, creating the file (and its directory, 0700) if needed.</summary>
    public static void Append(string path, string host, int port, string keyType, ReadOnlySpan<byte> blob, bool hash = false) =>
        AppendLine(path, FormatLine(host, port, keyType, blob, hash));

    /// <summary>Appends one line to a known_hosts file, creating the file (and its directory, 0700) if needed.</summary>
    public static void AppendLine(string path, string line)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(directory);
            else
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // A file not ending in a newline (edited by hand) must not glue our entry onto its last line.
        var prefix = "";
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            using var existing = File.OpenRead(path);
            existing.Seek(-1, SeekOrigin.End);
            if (existing.ReadByte() != '\n')
                prefix = "\n";
        }
        File.AppendAllText(path, prefix + line + "\n");
    }
}
