// Runs one command on an SSH server with Lucid.Ssh, as `ssh -i KEY user@host COMMAND` would:
// the server's host key must be in known_hosts, the output is printed and the exit code returned.
//
//   dotnet run --project samples/RunCommand -- [-p PORT] [-i KEY_FILE] [-o KNOWN_HOSTS] user@host command...
using Lucid.Ssh;
using Lucid.Ssh.Client;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;

var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
var port = 22;
var identity = Path.Combine(home, ".ssh", "id_ed25519");
var knownHostsFile = Path.Combine(home, ".ssh", "known_hosts");
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-p" when i + 1 < args.Length: port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "-i" when i + 1 < args.Length: identity = args[++i]; break;
        case "-o" when i + 1 < args.Length: knownHostsFile = args[++i]; break;
        default: rest.Add(args[i]); break;
    }
}
if (rest.Count < 2 || !rest[0].Contains('@'))
{
    Console.Error.WriteLine("usage: RunCommand [-p port] [-i key_file] [-o known_hosts] user@host command...");
    return 255;
}
var (user, host) = (rest[0][..rest[0].IndexOf('@')], rest[0][(rest[0].IndexOf('@') + 1)..]);
var command = string.Join(' ', rest.Skip(1));

var options = new SshClientOptions { User = user };
options.IdentityFiles.Add(identity);
var knownHosts = KnownHosts.Load([knownHostsFile]);
options.HostKeyVerifier = (context, _) =>
{
    var found = knownHosts.Check(context.Host, context.Port, context.HostKey.KeyType, context.HostKey.Blob.Span);
    return found.Status switch
    {
        KnownHostsStatus.Known => ValueTask.FromResult(true),
        // A different key than the one on record: say so precisely rather than just "no".
        KnownHostsStatus.Changed => throw new SshHostKeyVerificationException(
            new SshFailureCause.HostKeyMismatch(context.HostKey, found.File!, found.Line)),
        _ => ValueTask.FromResult(false),
    };
};

try
{
    await using var client = await SshClient.ConnectAsync(host, port, options);
    var result = await client.RunCommandAsync(command);
    Console.Out.Write(result.StandardOutput);
    Console.Error.Write(result.StandardError);
    return result.ExitCode ?? 255;
}
catch (SshException e)
{
    // The stage and cause say where and why, whatever the wording of the message.
    var why = e.Cause switch
    {
        SshFailureCause.HostKeyMismatch m => $" (the key recorded at {m.KnownHostsFile}:{m.Line} differs)",
        SshFailureCause.HostKeyRejected => $" ({host} is not in {knownHostsFile})",
        SshFailureCause.AuthExhausted a => $" (the server still offered: {string.Join(',', a.MethodsLeft)})",
        _ => "",
    };
    Console.Error.WriteLine($"RunCommand: {e.Stage?.ToString() ?? "connect"}: {e.Message}{why}");
    return 255;
}
