using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>IPQoS names and numbers (DSCP code points and the old IPTOS words), as ssh_config accepts and prints them.</summary>
internal static class SshConfigIpQos
{
    private static readonly (string Name, int Value)[] Names =
    [
        ("none", int.MaxValue), ("af11", 0x28), ("af12", 0x30), ("af13", 0x38), ("af21", 0x48), ("af22", 0x50),
        ("af23", 0x58), ("af31", 0x68), ("af32", 0x70), ("af33", 0x78), ("af41", 0x88), ("af42", 0x90), ("af43", 0x98),
        ("cs0", 0x00), ("cs1", 0x20), ("cs2", 0x40), ("cs3", 0x60), ("cs4", 0x80), ("cs5", 0xa0), ("cs6", 0xc0),
        ("cs7", 0xe0), ("ef", 0xb8), ("le", 0x04), ("lowdelay", 0x10), ("throughput", 0x08), ("reliability", 0x04),
    ];

    public static int Parse(string? s)
    {
        if (s is null)
            return -1;
        foreach (var (name, value) in Names)
            if (name.Equals(s, StringComparison.OrdinalIgnoreCase))
                return value;
        if (s.Length == 0)
            return -1;
        try
        {
            long v = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt64(s[2..], 16)
                : s.Length > 1 && s[0] == '0' ? Convert.ToInt64(s[1..], 8)
                : long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
            return v is < 0 or > 255 ? -1 : (int)v;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return -1;
        }
    }

    public static string Format(int value)
    {
        foreach (var (name, v) in Names)
            if (v == value)
                return name;
        return "0x" + value.ToString("x2", CultureInfo.InvariantCulture);
    }
}
