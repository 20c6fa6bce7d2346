using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Lucid.Cli.Keygen;
using Lucid.Ssh;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Keys;

namespace Lucid.Cli.Agent;

/// <summary>`lucid ssh-add`: OpenSSH's flags, messages (stderr, list output on stdout) and exit statuses over any agent.</summary>
internal sealed class SshAddTool
{
    /// <summary>The files `ssh-add` with no arguments tries, under ~ (OpenSSH 10.5's default_files).</summary>
    private static readonly string[] DefaultFiles =
        [".ssh/id_rsa", ".ssh/id_ecdsa", ".ssh/id_ecdsa_sk", ".ssh/id_ed25519", ".ssh/id_ed25519_sk", ".ssh/id_mldsa44_ed25519"];

    private readonly SshAddArguments _a;
    private readonly SshAgentClient _agent;
    private readonly KeygenConsole _console = KeygenConsole.System();
    private string? _passphrase; // ssh-add keeps the last passphrase that worked, to try on the next file first

    private SshAddTool(SshAddArguments arguments, SshAgentClient agent)
    {
        _a = arguments;
        _agent = agent;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var (parsed, error, code) = SshAddArguments.Parse(args);
        if (parsed is null)
        {
            Console.Error.WriteLine(error);
            return code;
        }
        var socket = Environment.GetEnvironmentVariable(SshAgentClient.SocketVariable);
        if (string.IsNullOrEmpty(socket))
        {
            Console.Error.WriteLine("Could not open a connection to your authentication agent.");
            return 2;
        }
        SshAgentClient agent;
        try
        {
            agent = await SshAgentClient.ConnectAsync(socket);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"Error connecting to agent: {AgentErrors.Describe(e)}");
            return 2;
        }
        await using (agent)
            return await new SshAddTool(parsed, agent).RunAsync();
    }

    private async Task<int> RunAsync()
    {
        try
        {
            if (_a.LockAction != 0)
                return await LockAsync(_a.LockAction == 'x') ? 0 : 1;
            if (_a.List != 0)
                return await ListAsync(_a.List == 'l') ? 0 : 1;
            if (_a.DeleteAll)
                return await DeleteAllAsync() ? 0 : 1;
            if (_a.Query)
                return await QueryAsync();
            if (_a.Test)
                return await TestAsync();
            return await FilesAsync();
        }
        finally
        {
            _passphrase = null;
        }
    }

    private async Task<int> FilesAsync()
    {
        int status = 0;
        if (_a.Files.Length > 0)
        {
            foreach (var file in _a.Files)
            {
                if (!await DoFileAsync(file))
                    status = 1;
            }
            return status;
        }
        var home = Platform.Users.ByUid(Platform.Users.GetUid())?.Home; // OpenSSH looks in the passwd entry, not $HOME
        if (home is null)
        {
            Console.Error.WriteLine($"No user found with uid {Platform.Users.GetUid()}");
            return 1;
        }
        int done = 0;
        foreach (var relative in DefaultFiles)
        {
            var path = Path.Combine(home, relative);
            if (!File.Exists(path))
                continue;
            if (await DoFileAsync(path))
                done++;
            else
                status = 1;
        }
        return done == 0 ? 1 : status;
    }

    private Task<bool> DoFileAsync(string file) => _a.Delete ? DeleteFileAsync(file) : AddFileAsync(file);

    private async Task<bool> AddFileAsync(string file)
    {
        string text;
        string name = file;
        try
        {
            if (file == "-")
            {
                name = "(stdin)";
                text = await Console.In.ReadToEndAsync();
            }
            else
            {
                KeyFileAccess.CheckPermissions(file, _console);
                text = await File.ReadAllTextAsync(file);
            }
        }
        catch (KeyPermissionsException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{file}: {KeyFileAccess.Describe(e)}");
            return false;
        }

        var key = LoadWithPassphrases(text, name);
        if (key is null)
            return false;
        using (key)
        {
            var comment = key.Comment.Length > 0 ? key.Comment : name;
            var constraints = new SshAgentKeyConstraints
            {
                Lifetime = _a.Lifetime > 0 ? TimeSpan.FromSeconds(_a.Lifetime) : null,
                Confirm = _a.Confirm,
            };
            try
            {
                await _agent.AddIdentityAsync(key, comment, constraints);
            }
            catch (SshAgentException e)
            {
                Console.Error.WriteLine($"Could not add identity \"{name}\": {e.Message}");
                return false;
            }
            if (!_a.Quiet)
            {
                Console.Error.WriteLine($"Identity added: {name} ({comment})");
                if (_a.Lifetime > 0)
                    Console.Error.WriteLine($"Lifetime set to {TimeFrame(_a.Lifetime)}");
                if (_a.Confirm)
                    Console.Error.WriteLine("The user must confirm each use of the key");
            }
        }
        if (!_a.KeyOnly && file != "-" && File.Exists(file + "-cert.pub"))
            Console.Error.WriteLine($"Certificate {file}-cert.pub not added: certificates in the agent are not supported by Lucid yet");
        return true;
    }

    /// <summary>sshkey_parse_private_fileblob with "", then the remembered passphrase, then asking until right or empty.</summary>
    private SshPrivateKey? LoadWithPassphrases(string text, string name)
    {
        string? Try(string? passphrase, out bool wrong)
        {
            wrong = false;
            try
            {
                _loaded = PrivateKeyFile.Parse(text, string.IsNullOrEmpty(passphrase) ? null : passphrase);
                return null;
            }
            catch (SshWrongPassphraseException)
            {
                wrong = true;
                return null;
            }
            catch (SshException e)
            {
                return e is SshKeyFormatException f ? f.Problem : e.Message;
            }
        }

        _loaded = null;
        foreach (var candidate in _passphrase is null ? new string?[] { "" } : ["", _passphrase])
        {
            var problem = Try(candidate, out var wrong);
            if (_loaded is not null)
                return _loaded;
            if (!wrong)
            {
                Console.Error.WriteLine($"Error loading key \"{name}\": {problem}");
                return null;
            }
        }
        _passphrase = null;
        var suffix = _a.Confirm ? " (will confirm each use)" : "";
        var prompt = $"Enter passphrase for {name}{suffix}: ";
        while (true)
        {
            var passphrase = _console.AskSecret(prompt);
            if (passphrase.Length == 0)
                return null;
            var problem = Try(passphrase, out var wrong);
            if (_loaded is not null)
            {
                _passphrase = passphrase;
                return _loaded;
            }
            if (!wrong)
            {
                Console.Error.WriteLine($"Error loading key \"{name}\": {problem}");
                return null;
            }
            if (_console.InputExhausted)
                return null;
            prompt = $"Bad passphrase, try again for {name}{suffix}: ";
        }
    }

    private SshPrivateKey? _loaded;

    private async Task<bool> DeleteFileAsync(string file)
    {
        if (file == "-")
            return await DeleteStdinAsync();
        var (key, comment) = KeyFileAccess.LoadPublic(file);
        if (key is null)
        {
            Console.Out.WriteLine($"Bad key file {file}: {(File.Exists(file) ? "invalid format" : "No such file or directory")}");
            return false;
        }
        bool removed = await DeleteOneAsync(key, comment, file);
        if (!_a.KeyOnly && File.Exists(file + "-cert.pub") && KeyFileAccess.LoadPublic(file + "-cert.pub") is ({ } cert, var certComment))
            removed |= await DeleteOneAsync(cert, certComment, file + "-cert.pub");
        return removed;
    }

    private async Task<bool> DeleteStdinAsync()
    {
        bool any = false;
        int number = 0;
        while (await Console.In.ReadLineAsync() is { } line)
        {
            number++;
            var trimmed = line.TrimStart(' ', '\t');
            if (trimmed.Length == 0 || trimmed[0] == '#')
                continue;
            SshPublicKey key;
            string comment;
            try
            {
                key = SshPublicKey.ParseLine(trimmed, out comment);
            }
            catch (SshException)
            {
                Console.Error.WriteLine($"(stdin):{number}: invalid key: invalid format");
                continue;
            }
            any |= await DeleteOneAsync(key, comment, "(stdin)");
        }
        return any;
    }

    private async Task<bool> DeleteOneAsync(SshPublicKey key, string? comment, string path)
    {
        try
        {
            await _agent.RemoveIdentityAsync(key);
        }
        catch (SshAgentException e)
        {
            Console.Error.WriteLine($"Could not remove identity \"{path}\": {e.Message}");
            return false;
        }
        if (!_a.Quiet)
            Console.Error.WriteLine($"Identity removed: {path} {KeyFingerprint.TypeLabel(key.KeyType)} ({(string.IsNullOrEmpty(comment) ? "no comment" : comment)})");
        return true;
    }

    private async Task<bool> DeleteAllAsync()
    {
        try
        {
            await _agent.RemoveAllIdentitiesAsync();
        }
        catch (SshAgentException)
        {
            Console.Error.WriteLine("Failed to remove all identities.");
            return false;
        }
        if (!_a.Quiet)
            Console.Error.WriteLine("All identities removed.");
        return true;
    }

    private async Task<bool> ListAsync(bool fingerprints)
    {
        IReadOnlyList<SshAgentIdentity> identities;
        try
        {
            identities = await _agent.ListIdentitiesAsync();
        }
        catch (SshAgentException e)
        {
            Console.Error.WriteLine($"error fetching identities: {e.Message}");
            return false;
        }
        if (identities.Count == 0)
        {
            Console.Out.WriteLine("The agent has no identities.");
            return false;
        }
        foreach (var identity in identities)
        {
            var key = identity.PublicKey;
            Console.Out.WriteLine(fingerprints
                ? $"{key.SizeInBits} {KeyFingerprint.Format(key, _a.Hash)} {identity.Comment} ({KeyFingerprint.TypeLabel(key.KeyType)})"
                : $"{key.ToLine(null)} {identity.Comment}");
        }
        return true;
    }

    private async Task<bool> LockAsync(bool lockIt)
    {
        var first = _console.AskSecret("Enter lock password: ");
        if (lockIt && _console.AskSecret("Again: ") != first)
        {
            Console.Error.WriteLine("Passwords do not match.");
            return false;
        }
        var verb = lockIt ? "" : "un";
        try
        {
            if (lockIt)
                await _agent.LockAsync(first);
            else
                await _agent.UnlockAsync(first);
        }
        catch (SshAgentException e)
        {
            Console.Error.WriteLine($"Failed to {verb}lock agent: {e.Message}");
            return false;
        }
        Console.Error.WriteLine($"Agent {verb}locked.");
        return true;
    }

    private async Task<int> QueryAsync()
    {
        try
        {
            foreach (var name in await _agent.QueryExtensionsAsync())
                Console.Out.WriteLine(name);
            return 0;
        }
        catch (SshAgentException e)
        {
            Console.Error.WriteLine($"unable to query supported extensions: {e.Message}");
            return 255;
        }
    }

    /// <summary>-T: each public key must be signed for by the agent, the signature verified here.</summary>
    private async Task<int> TestAsync()
    {
        if (_a.Files.Length == 0)
        {
            Console.Error.WriteLine("no keys to test");
            return 255;
        }
        bool failed = false;
        foreach (var file in _a.Files)
        {
            var (key, _) = KeyFileAccess.LoadPublic(file);
            if (key is null)
            {
                Console.Error.WriteLine($"Couldn't read public key {file}: {(File.Exists(file) ? "invalid format" : "No such file or directory")}");
                failed = true;
                continue;
            }
            var algorithm = key.KeyType == KeyAlgorithms.Rsa ? KeyAlgorithms.RsaSha256 : key.SignatureAlgorithms[0];
            var data = RandomNumberGenerator.GetBytes(1024);
            byte[] signature;
            try
            {
                signature = await _agent.SignAsync(key, data, algorithm);
            }
            catch (SshAgentException e)
            {
                Console.Error.WriteLine($"Agent signature failed for {file}: {e.Message}");
                failed = true;
                continue;
            }
            if (!key.Verify(data, signature, algorithm))
            {
                Console.Error.WriteLine($"Signature verification failed for {file}: incorrect signature");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /// <summary>OpenSSH's fmt_timeframe: "00:05:00", "1d02h03m", "02w3d04h".</summary>
    internal static string TimeFrame(long seconds)
    {
        long s = seconds % 60, m = seconds / 60 % 60, h = seconds / 3600 % 24, d = seconds / 86400 % 7, w = seconds / 604800;
        var c = CultureInfo.InvariantCulture;
        if (w > 0)
            return string.Format(c, "{0:00}w{1}d{2:00}h", w, d, h);
        if (d > 0)
            return string.Format(c, "{0}d{1:00}h{2:00}m", d, h, m);
        return string.Format(c, "{0:00}:{1:00}:{2:00}", h, m, s);
    }
}
