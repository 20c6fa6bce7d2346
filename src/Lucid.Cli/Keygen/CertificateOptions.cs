using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -O for certificates (add_cert_option, finalise_cert_exts): the standard permissions as flags that
/// "clear" and no-* switch off, force-command and source-address (each at most once), verify-required,
/// no-touch-required, and custom "critical:name[=value]" / "extension:name[=value]" options.
/// </summary>
internal sealed class CertificateOptions
{
    [Flags]
    private enum Permit
    {
        None = 0,
        X11Forwarding = 1,
        AgentForwarding = 2,
        PortForwarding = 4,
        Pty = 8,
        UserRc = 16,
        NoTouchRequired = 32,
        VerifyRequired = 64,
        Default = X11Forwarding | AgentForwarding | PortForwarding | Pty | UserRc,
    }

    // The flag options, by the name -O takes (case-insensitive) → the bit and whether the name sets or clears it.
    private static readonly Dictionary<string, (Permit Bit, bool Set)> FlagOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["no-x11-forwarding"] = (Permit.X11Forwarding, false),
        ["permit-x11-forwarding"] = (Permit.X11Forwarding, true),
        ["no-agent-forwarding"] = (Permit.AgentForwarding, false),
        ["permit-agent-forwarding"] = (Permit.AgentForwarding, true),
        ["no-port-forwarding"] = (Permit.PortForwarding, false),
        ["permit-port-forwarding"] = (Permit.PortForwarding, true),
        ["no-pty"] = (Permit.Pty, false),
        ["permit-pty"] = (Permit.Pty, true),
        ["no-user-rc"] = (Permit.UserRc, false),
        ["permit-user-rc"] = (Permit.UserRc, true),
        ["touch-required"] = (Permit.NoTouchRequired, false),
        ["no-touch-required"] = (Permit.NoTouchRequired, true),
        ["no-verify-required"] = (Permit.VerifyRequired, false),
        ["verify-required"] = (Permit.VerifyRequired, true),
    };

    // The extension each permission bit becomes, in finalise_cert_exts' order (sorted later anyway).
    private static readonly (Permit Bit, string Name)[] Extensions =
    [
        (Permit.X11Forwarding, "permit-X11-forwarding"),
        (Permit.AgentForwarding, "permit-agent-forwarding"),
        (Permit.PortForwarding, "permit-port-forwarding"),
        (Permit.Pty, "permit-pty"),
        (Permit.UserRc, "permit-user-rc"),
        (Permit.NoTouchRequired, "no-touch-required"),
    ];

    private Permit _flags;
    private string? _command;
    private string? _sourceAddress;
    private readonly List<(string Name, string? Value, bool Critical)> _custom = [];

    /// <summary>User certificates start with the default permissions; host certificates (-h) with none.</summary>
    public CertificateOptions(bool host) => _flags = host ? Permit.None : Permit.Default;

    /// <summary>One -O argument; an unknown or repeated one is fatal with ssh-keygen's message.</summary>
    public void Add(string option, KeygenConsole console)
    {
        if (option.Equals("clear", StringComparison.OrdinalIgnoreCase))
        {
            _flags = Permit.None;
        }
        else if (FlagOptions.TryGetValue(option, out var flag))
        {
            _flags = flag.Set ? _flags | flag.Bit : _flags & ~flag.Bit;
        }
        else if (Prefixed(option, "force-command=") is { } command)
        {
            if (command.Length == 0)
                throw new KeygenFatalException("Empty force-command option");
            if (_command is not null)
                throw new KeygenFatalException("force-command already specified");
            _command = command;
        }
        else if (Prefixed(option, "source-address=") is { } addresses)
        {
            if (addresses.Length == 0)
                throw new KeygenFatalException("Empty source-address option");
            if (_sourceAddress is not null)
                throw new KeygenFatalException("source-address already specified");
            if (CidrList.Match(null, addresses, console.Log) != 0)
                throw new KeygenFatalException("Invalid source-address list");
            _sourceAddress = addresses;
        }
        else if ((Prefixed(option, "extension:") ?? Prefixed(option, "critical:")) is { } custom)
        {
            bool critical = option[..option.IndexOf(':')].Equals("critical", StringComparison.OrdinalIgnoreCase);
            int equals = custom.IndexOf('=');
            _custom.Add(equals < 0 ? (custom, null, critical) : (custom[..equals], custom[(equals + 1)..], critical));
        }
        else
        {
            throw new KeygenFatalException($"Unsupported certificate option \"{option}\"");
        }
    }

    /// <summary>Puts the options into the certificate (the builder sorts them as OpenSSH does).</summary>
    public void ApplyTo(SshCertificateBuilder builder)
    {
        if (_command is not null)
            builder.CriticalOptions.Add(SshCertificateOption.WithValue("force-command", _command));
        if (_sourceAddress is not null)
            builder.CriticalOptions.Add(SshCertificateOption.WithValue("source-address", _sourceAddress));
        if (_flags.HasFlag(Permit.VerifyRequired))
            builder.CriticalOptions.Add(SshCertificateOption.Flag("verify-required"));
        foreach (var (bit, name) in Extensions)
        {
            if (_flags.HasFlag(bit))
                builder.Extensions.Add(SshCertificateOption.Flag(name));
        }
        foreach (var (name, value, critical) in _custom)
        {
            var option = value is null ? SshCertificateOption.Flag(name) : SshCertificateOption.WithValue(name, value);
            (critical ? builder.CriticalOptions : builder.Extensions).Add(option);
        }
    }

    // strprefix(s, prefix, ignorecase = 1): the rest after the prefix, or null.
    private static string? Prefixed(string s, string prefix) =>
        s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? s[prefix.Length..] : null;
}
