using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Agent;

/// <summary>
/// The keys a hosted agent holds, with their comments and constraints, and the agent's lock. A key leaves by
/// removal, by its lifetime running out (a timer reaps it even when no one asks) or when the store is disposed;
/// each way disposes the <see cref="SshPrivateKey"/>, which wipes its secret (Ed25519's seed is zeroed, RSA and
/// ECDSA keys are freed by OpenSSL, which clears their private numbers).
/// </summary>
internal sealed class AgentKeyStore : IDisposable
{
    private const int LockHashSize = 32, LockSaltSize = 16, LockRounds = 1;

    /// <summary>The longest wait a .NET timer takes (2^32 - 2 ms).</summary>
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private sealed class Entry(SshPrivateKey key, string comment, long? expiresAt, bool confirm)
    {
        public SshPrivateKey Key { get; } = key;
        public string Comment { get; } = comment;
        public long? ExpiresAt { get; } = expiresAt;
        public bool Confirm { get; } = confirm;
    }

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly TimeProvider _time;
    private readonly ITimer _reaper;
    private readonly Action<string> _log;
    private byte[]? _lockHash;
    private readonly byte[] _lockSalt = new byte[LockSaltSize];
    private bool _disposed;

    public AgentKeyStore(TimeProvider time, Action<string> log)
    {
        _time = time;
        _log = log;
        _reaper = time.CreateTimer(_ => Reap(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public bool IsLocked
    {
        get
        {
            lock (_gate)
                return _lockHash is not null;
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    /// <summary>Takes ownership of <paramref name="key"/>; a key already held is replaced (its new comment and constraints win).</summary>
    public void Add(SshPrivateKey key, string comment, TimeSpan? lifetime, bool confirm)
    {
        long? expiresAt = lifetime is { } l ? _time.GetTimestamp() + (long)(l.TotalSeconds * _time.TimestampFrequency) : null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int index = IndexOf(key.PublicKey.Blob.Span);
            var entry = new Entry(key, comment, expiresAt, confirm);
            if (index >= 0)
            {
                _entries[index].Key.Dispose();
                _entries[index] = entry;
            }
            else
            {
                _entries.Add(entry);
            }
            Reschedule();
        }
    }

    public bool Remove(ReadOnlySpan<byte> publicKeyBlob)
    {
        lock (_gate)
        {
            int index = IndexOf(publicKeyBlob);
            if (index < 0)
                return false;
            _entries[index].Key.Dispose();
            _entries.RemoveAt(index);
            return true;
        }
    }

    public void RemoveAll()
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
                entry.Key.Dispose();
            _entries.Clear();
        }
    }

    public List<SshAgentIdentity> List()
    {
        lock (_gate)
            return _entries.Select(e => new SshAgentIdentity(e.Key.PublicKey, e.Comment)).ToList();
    }

    /// <summary>The comment and confirm flag of a held key, or null.</summary>
    public (string Comment, bool Confirm)? Describe(ReadOnlySpan<byte> publicKeyBlob)
    {
        lock (_gate)
        {
            int index = IndexOf(publicKeyBlob);
            return index < 0 ? null : (_entries[index].Comment, _entries[index].Confirm);
        }
    }

    /// <summary>
    /// Signs with a held key, under the lock so that a removal or expiry cannot wipe the key mid-signature; null when
    /// the key is not held (any more), or it cannot make that signature.
    /// </summary>
    public byte[]? Sign(ReadOnlySpan<byte> publicKeyBlob, ReadOnlySpan<byte> data, string signatureAlgorithm)
    {
        lock (_gate)
        {
            int index = IndexOf(publicKeyBlob);
            if (index < 0)
                return null;
            var key = _entries[index].Key;
            if (!key.PublicKey.SignatureAlgorithms.Contains(signatureAlgorithm))
                return null;
            return key.Sign(data, signatureAlgorithm);
        }
    }

    /// <summary>Locks with a passphrase, keeping only its salted bcrypt hash (as OpenSSH does); false if already locked.</summary>
    public bool Lock(ReadOnlySpan<byte> passphrase)
    {
        lock (_gate)
        {
            if (_lockHash is not null)
                return false;
            RandomNumberGenerator.Fill(_lockSalt);
            _lockHash = new byte[LockHashSize];
            BcryptPbkdf.DeriveKey(passphrase, _lockSalt, LockRounds, _lockHash);
            return true;
        }
    }

    /// <summary>Unlocks when the passphrase matches (compared in constant time); false when not locked or wrong.</summary>
    public bool Unlock(ReadOnlySpan<byte> passphrase)
    {
        Span<byte> hash = stackalloc byte[LockHashSize];
        lock (_gate)
        {
            if (_lockHash is null)
                return false;
            BcryptPbkdf.DeriveKey(passphrase, _lockSalt, LockRounds, hash);
            bool match = CryptographicOperations.FixedTimeEquals(hash, _lockHash);
            CryptographicOperations.ZeroMemory(hash);
            if (!match)
                return false;
            CryptographicOperations.ZeroMemory(_lockHash);
            _lockHash = null;
            return true;
        }
    }

    private int IndexOf(ReadOnlySpan<byte> publicKeyBlob)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key.PublicKey.Blob.Span.SequenceEqual(publicKeyBlob))
                return i;
        }
        return -1;
    }

    /// <summary>Drops the keys whose lifetime is over, then sets the timer for the next one.</summary>
    private void Reap()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            long now = _time.GetTimestamp();
            for (int i = _entries.Count - 1; i >= 0; i--)
            {
                if (_entries[i].ExpiresAt is { } at && at <= now)
                {
                    var entry = _entries[i];
                    _log($"expiring key '{entry.Comment}'");
                    entry.Key.Dispose();
                    _entries.RemoveAt(i);
                }
            }
            Reschedule();
        }
    }

    private void Reschedule()
    {
        long? next = null;
        foreach (var entry in _entries)
        {
            if (entry.ExpiresAt is { } at && (next is null || at < next))
                next = at;
        }
        if (next is null)
        {
            _reaper.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var due = _time.GetElapsedTime(_time.GetTimestamp(), next.Value);
        // A lifetime may be up to 2^32 seconds; a timer waits at most ~49 days, so a far expiry is re-aimed then.
        _reaper.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDue ? MaxTimerDue : due, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var entry in _entries)
                entry.Key.Dispose();
            _entries.Clear();
            if (_lockHash is not null)
                CryptographicOperations.ZeroMemory(_lockHash);
        }
        _reaper.Dispose();
    }
}
