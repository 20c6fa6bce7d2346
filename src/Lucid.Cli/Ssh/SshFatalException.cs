namespace Lucid.Cli.Ssh;

/// <summary>A failure ssh reports with one message (OpenSSH's fatal()) and exit status 255.</summary>
internal sealed class SshFatalException(string message) : Exception(message);
