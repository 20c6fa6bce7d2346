using Lucid.Cli.Platform;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Agent;

/// <summary>ssh-add's command line (getopt "vkKlLNCcdDTxXE:e:h:H:M:m:Qqs:S:t:"), parsed.</summary>
internal sealed class SshAddArguments
{
    public const string Usage =
        "usage: ssh-add [-CcDdKkLlqvXx] [-E fingerprint_hash] [-H hostkey_file]\n" +
        "               [-h destination_constraint] [-S provider] [-t life]\n" +
        "               [file ...]\n" +
        "       ssh-add -s pkcs11 [-Cv] [certificate ...]\n" +
        "       ssh-add -e pkcs11\n" +
        "       ssh-add -T pubkey ...";

    public int Verbose { get; private set; }
    public bool KeyOnly { get; private set; }
    public char List { get; private set; }
    public char LockAction { get; private set; }
    public bool Confirm { get; private set; }
    public bool Delete { get; private set; }
    public bool DeleteAll { get; private set; }
    public bool Query { get; private set; }
    public bool Quiet { get; private set; }
    public bool Test { get; private set; }
    public int Lifetime { get; private set; }
    public FingerprintHash Hash { get; private set; } = FingerprintHash.Sha256;
    public string[] Files { get; private set; } = [];

    /// <summary>The parsed arguments, or the message to print (stderr) and ssh-add's exit status.</summary>
    public static (SshAddArguments? Arguments, string? Error, int ExitCode) Parse(string[] args)
    {
        var a = new SshAddArguments();
        var options = new Getopt(args, "EthHesSmM");
        while (options.Next(out var flag, out var value))
        {
            switch (flag)
            {
                case 'v': a.Verbose++; break;
                case 'k': a.KeyOnly = true; break;
                case 'l' or 'L' when a.List != 0:
                    return (null, $"-{a.List} flag already specified", 255);
                case 'l' or 'L': a.List = flag; break;
                case 'x' or 'X' when a.LockAction != 0:
                    return (null, $"-{a.LockAction} flag already specified", 255);
                case 'x' or 'X': a.LockAction = flag; break;
                case 'c': a.Confirm = true; break;
                case 'd': a.Delete = true; break;
                case 'D': a.DeleteAll = true; break;
                case 'Q': a.Query = true; break;
                case 'q': a.Quiet = true; break;
                case 'T': a.Test = true; break;
                case 'm' or 'M': // deprecated, ignored by OpenSSH too; takes an argument
                case 'E' or 't' or 'h' or 'H' or 'e' or 's' or 'S':
                    if (value is null)
                        return (null, $"ssh-add: option requires an argument -- {flag}\n{Usage}", 1);
                    if (a.Set(flag, value) is { } failure)
                        return (null, failure.Message, failure.ExitCode);
                    break;
                case 'C' or 'K' or 'N':
                    return (null, $"ssh-add: -{flag} (certificates and security keys in the agent) is not supported by Lucid yet", 1);
                default:
                    return (null, $"ssh-add: invalid option -- '{flag}'\n{Usage}", 1);
            }
        }
        a.Files = options.Operands;
        if ((a.LockAction != 0 ? 1 : 0) + (a.List != 0 ? 1 : 0) + (a.DeleteAll ? 1 : 0) + (a.Query ? 1 : 0) > 1)
            return (null, "Invalid combination of actions", 255);
        return (a, null, 0);
    }

    private (string Message, int ExitCode)? Set(char flag, string value)
    {
        switch (flag)
        {
            case 'E':
                if (!KeyFingerprint.TryParseHashName(value, out var hash))
                    return ($"Invalid hash algorithm \"{value}\"", 255);
                Hash = hash;
                return null;
            case 't':
                var seconds = SshdConfigValues.ParseTime(value);
                if (seconds < 0)
                    return ("Invalid lifetime", 1);
                Lifetime = seconds;
                return null;
            case 'm' or 'M':
                return null;
            case 'h' or 'H':
                // Refused rather than ignored: a key added without the constraint asked for would be usable anywhere.
                return ($"ssh-add: -{flag}: destination constraints are not supported by Lucid yet", 1);
            default:
                return ($"ssh-add: -{flag}: PKCS#11 and security key providers are not supported by Lucid", 1);
        }
    }
}
