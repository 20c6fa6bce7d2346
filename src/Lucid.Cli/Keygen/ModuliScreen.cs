using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;

namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -M screen: reads moduli candidates (one per line, in /etc/ssh/moduli's format: time, type,
/// tests, trials, size, generator, modulus in hex) and writes those that are safe primes p = 2q + 1 with a
/// known generator, after Miller-Rabin rounds on q and p, as OpenSSH's moduli.c does.
/// </summary>
internal sealed class ModuliScreen(KeygenConsole console)
{
    private const int TypeSafe = 2;
    private const int TypeSophieGermain = 4;
    private const int TestsComposite = 0x01;
    private const int TestsMillerRabin = 0x04;
    private const int SizeMinimum = 511;
    public const int TrialsMinimum = 4;

    public int Trials { get; init; } = 100;
    public uint GeneratorWanted { get; init; }
    public string? Checkpoint { get; init; }
    public ulong StartLine { get; init; }
    public ulong Lines { get; init; }

    /// <summary>Screens every line of <paramref name="input"/>; the survivors go to <paramref name="output"/> as they are found.</summary>
    public void Run(IReadOnlyList<string> input, TextWriter output)
    {
        var end = Lines == 0 ? (ulong)input.Count : StartLine + Lines;
        var start = Math.Max(ReadCheckpoint(), StartLine);
        console.Debug(1, $"process from line {start} to line {end}");
        var started = DateTime.Now;
        int found = 0, possible = 0;
        for (ulong number = 1; number <= (ulong)input.Count && number <= end; number++)
        {
            if (number <= start)
                continue;
            if (Checkpoint is not null)
                WriteCheckpoint(number);
            var line = input[(int)(number - 1)];
            if (line.Length < 14 || line[0] is '!' or '#')
                continue;
            if (Screen(line, number) is not { } survivor)
                continue;
            possible++;
            if (survivor.Prime is null)
                continue;
            var now = DateTime.UtcNow;
            output.Write($"{now:yyyyMMddHHmmss} {TypeSafe} {survivor.Tests | TestsMillerRabin} {survivor.Tries} {survivor.Size} {survivor.Generator:x} ");
            output.Write(survivor.Prime.Value.ToString("X", CultureInfo.InvariantCulture).TrimStart('0'));
            output.Write('\n');
            output.Flush();
            found++;
        }
        if (Checkpoint is not null)
            File.Delete(Checkpoint);
        var stopped = DateTime.Now;
        console.Log($"{CTime(stopped)} Found {found} safe primes of {possible} candidates in {(long)(stopped - started).TotalSeconds} seconds");
    }

    private sealed record Survivor(int Tests, int Tries, int Size, uint Generator, BigInteger? Prime);

    /// <summary>One candidate line: null when it is not even a candidate, a survivor without a prime when a test failed.</summary>
    private Survivor? Screen(string line, ulong number)
    {
        var fields = line[14..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || !int.TryParse(fields[0], out var type) || !int.TryParse(fields[1], out var tests) ||
            !int.TryParse(fields[2], out var tries) || !int.TryParse(fields[3], out var size) ||
            !uint.TryParse(fields[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var generator) ||
            !BigInteger.TryParse("0" + fields[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var modulus))
        {
            console.Debug(2, $"{number,10}: unparseable line");
            return null;
        }
        if ((tests & TestsComposite) != 0)
        {
            console.Debug(2, $"{number,10}: known composite");
            return null;
        }
        BigInteger p, q;
        if (type == TypeSophieGermain)
        {
            // The line holds q; the safe prime is 2q + 1, one bit longer, its generator still to be found.
            q = modulus;
            p = 2 * q + 1;
            size++;
            generator = 0;
        }
        else
        {
            p = modulus;
            q = p >> 1;
        }
        if (p.GetBitLength() != size + 1)
        {
            console.Debug(2, $"{number,10}: bit size {size} mismatch");
            return null;
        }
        if (size < SizeMinimum)
        {
            console.Debug(2, $"{number,10}: bit size {size} too short");
            return null;
        }
        tries = (tests & TestsMillerRabin) != 0 ? tries + Trials : Trials;
        if (generator == 0)
            generator = p % 24 == 11 ? 2u : (p % 10) is var r && (r == 3 || r == 7) ? 5u : 0u;
        if (GeneratorWanted > 0 && GeneratorWanted != generator)
        {
            console.Debug(2, $"{number,10}: generator {generator} != {GeneratorWanted}");
            return null;
        }
        if (generator == 0)
        {
            console.Debug(2, $"{number,10}: no known generator");
            return null;
        }
        // One round weeds out most composite q's cheaply; p gets the full count, then q again.
        var survivor = new Survivor(tests, tries, size, generator, null);
        if (!Primality.IsProbablePrime(q, 1))
            console.Debug(1, $"{number,10}: q failed first possible prime test");
        else if (!Primality.IsProbablePrime(p, Trials))
            console.Debug(1, $"{number,10}: p is not prime");
        else if (!Primality.IsProbablePrime(q, Trials - 1))
            console.Debug(1, $"{number,10}: q is not prime");
        else
            return survivor with { Prime = p };
        return survivor;
    }

    private ulong ReadCheckpoint()
    {
        if (Checkpoint is null || !File.Exists(Checkpoint))
            return 0;
        var text = File.ReadAllText(Checkpoint).Trim();
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var line))
        {
            console.Log($"Failed to load checkpoint from '{Checkpoint}'");
            return 0;
        }
        console.Log($"Loaded checkpoint from '{Checkpoint}' line {line}");
        return line;
    }

    // Written beside the file and renamed over it, so an interrupted run never leaves half a number.
    private void WriteCheckpoint(ulong line)
    {
        var temp = $"{Checkpoint}.{RandomNumberGenerator.GetHexString(10)}";
        try
        {
            File.WriteAllText(temp, $"{line}\n");
            File.Move(temp, Checkpoint!, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Log($"failed to write to checkpoint file '{Checkpoint}': {e.Message}");
            File.Delete(temp);
        }
    }

    /// <summary>ctime(3) without its newline: "Mon Dec  7 20:55:00 2026".</summary>
    private static string CTime(DateTime t) =>
        $"{t.ToString("ddd MMM", CultureInfo.InvariantCulture)} {t.Day,2} {t.ToString("HH:mm:ss yyyy", CultureInfo.InvariantCulture)}";
}
