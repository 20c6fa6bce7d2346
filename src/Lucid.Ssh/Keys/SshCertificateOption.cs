using System.Text;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>
/// One critical option or extension of a certificate (PROTOCOL.certkeys): a name and its data exactly as signed.
/// A flag (permit-pty, verify-required) has empty data; a valued option (force-command, source-address) has data
/// that is itself one SSH string. Any other data is carried as is, because that is what the CA signed and what
/// OpenSSH prints (ssh-keygen -L's "UNKNOWN OPTION").
/// </summary>
public sealed class SshCertificateOption
{
    /// <summary>An option with the given raw data.</summary>
    public SshCertificateOption(string name, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Data = data;
    }

    /// <summary>A flag option (empty data): permit-pty, verify-required, ...</summary>
    public static SshCertificateOption Flag(string name) => new(name, ReadOnlyMemory<byte>.Empty);

    /// <summary>A valued option: the data is <paramref name="value"/> as one SSH string (force-command=..., source-address=...).</summary>
    public static SshCertificateOption WithValue(string name, string value)
    {
        using var writer = new SshWriter(value.Length + 8);
        writer.WriteString(value);
        return new(name, writer.ToArray());
    }

    /// <summary>The option's name.</summary>
    public string Name { get; }

    /// <summary>The option's data as signed (empty for a flag).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True when the data is empty (a flag).</summary>
    public bool IsFlag => Data.IsEmpty;

    /// <summary>The value when the data is exactly one SSH string, otherwise null (a flag, or data of another shape).</summary>
    public string? Value
    {
        get
        {
            if (Data.IsEmpty)
                return null;
            var span = Data.Span;
            if (span.Length < 4)
                return null;
            uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span);
            if (length != (uint)(span.Length - 4))
                return null;
            return Encoding.UTF8.GetString(span[4..]);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Value is { } value ? $"{Name}={value}" : Name;
}
