using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>Why a connection that ended before authentication completed earns its source a penalty.</summary>
internal enum SourcePenaltyKind { None, Crash, AuthFail, NoAuth, InvalidUser, RefuseConnection, GraceExceeded }

/// <summary>
/// PerSourcePenalties (OpenSSH 10's sshd): sources that misbehave before authenticating are refused for a while.
/// Penalties are kept per address range (PerSourceNetBlockSize), accumulate while they last up to `max`, and
/// are enforced only once one exceeds `min`; addresses in PerSourcePenaltyExemptList are never penalised.
/// When more ranges than max-sources4/6 are tracked, `permissive` drops the ones closest to expiry and
/// `deny-all` refuses every new connection of that family until one expires.
/// </summary>
internal sealed class SourcePenalties(Func<SshdConfig> config, Func<double>? clock = null)
{
    private sealed class Entry
    {
        public double Expiry;
        public bool Active;
        public required string Reason;
    }

    // One table per address family: each has its own max-sources and overflow mode.
    private readonly Dictionary<UInt128, Entry> _v4 = [], _v6 = [];
    private readonly Func<double> _now = clock ?? (() => Environment.TickCount64 / 1000.0);
    private readonly Lock _lock = new();

    /// <summary>Whether a new connection from <paramref name="address"/> may proceed; if not, the reason to log.</summary>
    public bool Allows(IPAddress address, out string? reason)
    {
        reason = null;
        var c = config();
        var settings = c.PerSourcePenalties;
        if (!settings.Enabled || IsExempt(c, address))
            return true;
        lock (_lock)
        {
            var now = _now();
            Expire(now);
            var v4 = address.AddressFamily == AddressFamily.InterNetwork;
            if (Table(address).Count >= (v4 ? settings.MaxSources4 : settings.MaxSources6) &&
                (v4 ? settings.DenyAllOnOverflow4 : settings.DenyAllOnOverflow6))
            {
                reason = "too many penalised addresses";
                return false;
            }
            if (!Table(address).TryGetValue(Key(c, address), out var entry) || !entry.Active)
                return true;
            reason = entry.Reason;
            return false;
        }
    }

    /// <summary>Records a penalty against <paramref name="address"/>'s range (srclimit_penalise); returns the log line, if any.</summary>
    public string? Penalise(IPAddress address, SourcePenaltyKind kind)
    {
        var c = config();
        var s = c.PerSourcePenalties;
        if (!s.Enabled || kind == SourcePenaltyKind.None || IsExempt(c, address))
            return null;
        var (seconds, reason) = kind switch
        {
            SourcePenaltyKind.Crash => (s.Crash, "penalty: caused crash"),
            SourcePenaltyKind.AuthFail => (s.AuthFail, "penalty: failed authentication"),
            SourcePenaltyKind.NoAuth => (s.NoAuth, "penalty: connections without attempting authentication"),
            SourcePenaltyKind.InvalidUser => (s.InvalidUser, "penalty: attempted authentication by invalid user"),
            SourcePenaltyKind.RefuseConnection => (s.RefuseConnection, "penalty: connection prohibited by RefuseConnection"),
            _ => (s.GraceExceeded, "penalty: exceeded LoginGraceTime"),
        };
        if (seconds <= 0)
            return null;
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var family = v4 ? "ipv4" : "ipv6";
        var bits = v4 ? c.PerSourceNetBlockSize.V4 : c.PerSourceNetBlockSize.V6;
        var range = $"{Masked(address, bits)}/{bits}";
        lock (_lock)
        {
            var now = _now();
            Expire(now);
            var max = v4 ? s.MaxSources4 : s.MaxSources6;
            var table = Table(address);
            if (table.Count >= max && (v4 ? s.DenyAllOnOverflow4 : s.DenyAllOnOverflow6))
                return $"{family} penalty table full, cannot penalise {range} for {reason}";
            var key = Key(c, address);
            if (!table.TryGetValue(key, out var entry))
            {
                entry = new Entry { Expiry = now + seconds, Active = seconds > s.Min, Reason = reason };
                table[key] = entry;
                if (table.Count > max)
                    DropClosestToExpiry(table, table.Count - max);
                return entry.Active ? $"{family}: new {range} active penalty of {seconds:F3} seconds for {reason}" : null;
            }
            entry.Expiry = Math.Min(entry.Expiry + seconds, now + s.Max);
            entry.Reason = reason;
            if (!entry.Active && entry.Expiry - now > s.Min)
            {
                entry.Active = true;
                return $"{range}: activating {family} penalty of {entry.Expiry - now:F3} seconds for {reason}";
            }
            return null;
        }
    }

    private static bool IsExempt(SshdConfig c, IPAddress address) =>
        c.PerSourcePenaltyExemptList is { } list && SshdConfigPatterns.MatchAddressList(address.ToString(), list) == 1;

    private Dictionary<UInt128, Entry> Table(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? _v4 : _v6;

    private static UInt128 Key(SshdConfig c, IPAddress address)
    {
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? c.PerSourceNetBlockSize.V4 : c.PerSourceNetBlockSize.V6;
        return ToNumber(Masked(address, bits));
    }

    private static IPAddress Masked(IPAddress address, int bits)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            bytes[i] &= (byte)(0xff00 >> keep);
        }
        return new IPAddress(bytes);
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 n = 0;
        foreach (var b in address.GetAddressBytes())
            n = (n << 8) | b;
        return n;
    }

    private void Expire(double now)
    {
        foreach (var table in new[] { _v4, _v6 })
            foreach (var (key, entry) in table)
                if (entry.Expiry < now)
                    table.Remove(key);
    }

    // overflow:permissive — make room by ending the penalties closest to expiry.
    private static void DropClosestToExpiry(Dictionary<UInt128, Entry> table, int count)
    {
        foreach (var key in table.OrderBy(e => e.Value.Expiry).Take(count).Select(e => e.Key).ToList())
            table.Remove(key);
    }
}
