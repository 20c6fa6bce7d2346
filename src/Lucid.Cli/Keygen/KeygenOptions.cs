using Lucid.Cli.Platform;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Keygen;

/// <summary>What ssh-keygen is asked to do; parsed with the same getopt rules and option letters as OpenSSH.</summary>
internal sealed class KeygenOptions
{
    // ssh-keygen 9.2's getopt string. Letters it knows but Lucid does not implement are refused with a
    // clear message rather than treated as unknown.
    private const string Flags = "ABHKLQUXceghiklopquvy";
    private const string WithArgument = "CDEFIMNOPRVYZabfgmnrstwz";
    private const string Implemented = "lvyepiqbCEfmNPtaZoYnsIOFRHBMLhVzkQu";

    public string? KeyType { get; private set; }
    public int Bits { get; private set; }
    public string? File { get; private set; }
    public string? Comment { get; private set; }
    public string? Passphrase { get; private set; }      // -P
    public string? NewPassphrase { get; private set; }   // -N
    public string? Format { get; private set; }          // -m as given
    public string? HashName { get; private set; }        // -E as given
    public int Rounds { get; private set; }              // -a (0: the default, 16)
    public string? Cipher { get; private set; }          // -Z
    public string? SignOperation { get; private set; } // -Y
    public string? Namespace { get; private set; }     // -n (with -Y)
    public string? SignatureFile { get; private set; } // -s (with -Y; else the CA key)
    public string? Principal { get; private set; }     // -I (with -Y; else the certificate's key id)
    public List<string> SignOptions { get; } = [];     // -O (with -Y, -M, or certificate options)
    public bool ShowCertificate { get; private set; }  // -L
    public bool HostCertificate { get; private set; }  // -h
    public CertificateValidity Validity { get; private set; } = CertificateValidity.Forever; // -V
    public ulong Serial { get; private set; }          // -z
    public bool SerialIncrements { get; private set; } // -z +N
    public bool Quiet { get; private set; }
    public int Verbose { get; private set; }
    public bool Fingerprint { get; private set; }
    public bool Bubblebabble { get; private set; }       // -B
    public string? Moduli { get; private set; }          // -M generate|screen
    public bool PrintPublic { get; private set; }
    public bool ExportKey { get; private set; }
    public bool ImportKey { get; private set; }
    public bool ChangePassphrase { get; private set; }
    public string? FindHost { get; private set; }      // -F (known_hosts)
    public string? RemoveHost { get; private set; }    // -R (known_hosts)
    public bool HashHosts { get; private set; }        // -H (known_hosts)
    public bool GenerateKrl { get; private set; }      // -k
    public bool UpdateKrl { get; private set; }        // -u (with -k)
    public bool CheckKrl { get; private set; }         // -Q
    public List<string> Operands { get; } = [];

    /// <summary>Parses with the shared getopt(3); ssh-keygen's own messages for a missing argument or an unknown letter.</summary>
    public static KeygenOptions Parse(string[] args)
    {
        var o = new KeygenOptions();
        var options = new Getopt(args, WithArgument);
        while (options.Next(out var c, out var value))
        {
            if (WithArgument.Contains(c, StringComparison.Ordinal))
            {
                if (value is null)
                    throw new KeygenUsageException($"option requires an argument -- {c}");
                o.Set(c, value);
                continue;
            }
            if (!Flags.Contains(c, StringComparison.Ordinal))
                throw new KeygenUsageException($"unknown option -- {c}");
            o.Set(c, null);
        }
        o.Operands.AddRange(options.Operands);
        return o;
    }

    private void Set(char c, string? value)
    {
        if (!Implemented.Contains(c, StringComparison.Ordinal))
            throw new KeygenFatalException($"ssh-keygen: option -{c} is not supported by lucid ssh-keygen yet", exitCode: 1);
        switch (c)
        {
            case 'l': Fingerprint = true; break;
            case 'B': Bubblebabble = true; break;
            case 'M': Moduli = value; break;
            case 'v': Verbose++; break;
            case 'y': PrintPublic = true; break;
            case 'e': ExportKey = true; break;
            case 'i': ImportKey = true; break;
            case 'p': ChangePassphrase = true; break;
            case 'q': Quiet = true; break;
            case 'o': break; // no-op in OpenSSH too: the new format is already the default
            case 'b':
                if (!uint.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint bits) || bits == 0)
                    throw new KeygenFatalException($"Bits has bad value {value} ({(IsNumber(value!) ? "too small" : "invalid")})");
                Bits = (int)Math.Min(bits, int.MaxValue);
                break;
            case 'C': Comment = value; break;
            case 'E': HashName = value; break;
            case 'f': File = value; break;
            case 'm': Format = value; break;
            case 'N': NewPassphrase = value; break;
            case 'P': Passphrase = value; break;
            case 't': KeyType = value; break;
            case 'a':
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int rounds) || rounds < 1)
                    throw new KeygenFatalException($"Invalid number: {value} ({(IsNumber(value!) ? (value!.Trim('0').Length == 0 ? "too small" : "too large") : "invalid")})");
                Rounds = rounds;
                break;
            case 'Z':
                if (OpenSshKeyCipher.Find(value!) is null)
                    throw new KeygenFatalException($"Invalid OpenSSH-format cipher '{value}'");
                Cipher = value;
                break;
            case 'Y': SignOperation = value; break;
            case 'n': Namespace = value; break;
            case 's': SignatureFile = value; break;
            case 'I': Principal = value; break;
            case 'O': SignOptions.Add(value!); break; // -Y options, or -M's (lines=, start-line=, ...)
            case 'F': FindHost = value; break;
            case 'R': RemoveHost = value; break;
            case 'H': HashHosts = true; break;
            case 'k': GenerateKrl = true; break;
            case 'u': UpdateKrl = true; break;
            case 'Q': CheckKrl = true; break;
            case 'L': ShowCertificate = true; break;
            case 'h': HostCertificate = true; break;
            case 'V': Validity = CertificateValidity.Parse(value!, DateTimeOffset.UtcNow); break;
            case 'z': ParseSerial(value!); break;
        }
    }

    // -z N or +N (auto-increment per key signed): strtoull, the whole string, decimal digits only.
    private void ParseSerial(string value)
    {
        if (value.StartsWith('+'))
        {
            SerialIncrements = true;
            value = value[1..];
        }
        if (!IsNumber(value) || !ulong.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong serial))
            throw new KeygenFatalException($"Invalid serial number \"{value}\"");
        Serial = serial;
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
