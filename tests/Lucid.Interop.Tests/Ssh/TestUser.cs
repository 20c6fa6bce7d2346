namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// A local account with a known password for password and keyboard-interactive tests, created once per
/// run with useradd/chpasswd (the tests run as root in CI; otherwise through sudo -n).
/// </summary>
internal static class TestUser
{
    public const string Name = "lucidpw";
    public const string Password = "Lucid-test-pw-1";

    private static readonly Lazy<Task> Created = new(CreateAsync);

    public static Task EnsureAsync() => Created.Value;

    private static async Task CreateAsync()
    {
        string[] sudo = Environment.UserName == "root" ? [] : ["sudo", "-n"];
        async Task RunAsync(string stdin, params string[] command)
        {
            string[] full = [.. sudo, .. command];
            var result = await ProcessRunner.RunAsync(full[0], full[1..], stdin: stdin);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"{string.Join(' ', full)} failed (the interop tests need root or passwordless sudo): {result}");
        }

        // Other test classes create their own users at the same time and useradd/chpasswd lock
        // /etc/passwd and /etc/shadow: a busy lock is retried, not a failure.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if ((await ProcessRunner.RunAsync("id", [Name])).ExitCode != 0)
                    await RunAsync("", "useradd", "--create-home", "--shell", "/bin/sh", Name);
                await RunAsync($"{Name}:{Password}\n", "chpasswd");
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                await Task.Delay(200 * attempt);
            }
        }
    }
}
