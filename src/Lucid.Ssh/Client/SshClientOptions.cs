using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Client;

/// <summary>Everything SshClient.ConnectAsync needs beyond host and port. Defaults follow OpenSSH's ssh.</summary>
public sealed class SshClientOptions
{
    /// <summary>The remote user name; defaults to the local one, as ssh does.</summary>
    public string User { get; set; } = Environment.UserName;

    /// <summary>Keys offered for publickey authentication, in order.</summary>
    public IList<SshPrivateKey> Identities { get; } = [];

    /// <summary>Keys held elsewhere (an agent, a hardware token) offered after <see cref="Identities"/>, before the files.</summary>
    public IList<ISshSigner> Signers { get; } = [];

    /// <summary>
    /// An agent whose keys are offered as OpenSSH's ssh offers them: first the agent's keys that are also an
    /// identity file (signed for by the agent), then its other keys (unless <see cref="IdentitiesOnly"/>), then the
    /// remaining files. Null: no agent (OpenSSH's IdentityAgent none). The caller owns and disposes it.
    /// </summary>
    public Agent.SshAgentClient? Agent { get; set; }

    /// <summary>OpenSSH's IdentitiesOnly: offer only the configured identity files, even when the agent holds more keys.</summary>
    public bool IdentitiesOnly { get; set; }

    /// <summary>Private key files offered after <see cref="Identities"/> and <see cref="Signers"/>; missing files are skipped, as ssh does for default identities.</summary>
    public IList<string> IdentityFiles { get; } = [];

    /// <summary>
    /// Certificate files (ssh_config CertificateFile): each is offered, before the plain key, with the identity whose
    /// key it certifies. A certificate beside an identity file (FILE-cert.pub) is offered without being listed here.
    /// </summary>
    public IList<string> CertificateFiles { get; } = [];

    /// <summary>
    /// Whether a key file belongs to the user running the program: OpenSSH refuses only its own key files
    /// when others can access them. Null: every identity file is held to that rule.
    /// </summary>
    public Func<string, bool>? IsOwnedByCurrentUser { get; set; }

    /// <summary>Passphrase for encrypted identity files: called with the file name; null skips the key.</summary>
    public Func<string, CancellationToken, ValueTask<string?>>? PassphraseCallback { get; set; }

    /// <summary>A fixed password, tried once before <see cref="PasswordCallback"/> (handy for programs; never logged).</summary>
    public string? Password { get; set; }

    /// <summary>Asks the user for a password; null means give up on password authentication.</summary>
    public Func<SshPasswordPrompt, CancellationToken, ValueTask<string?>>? PasswordCallback { get; set; }

    /// <summary>Answers the server's demand to change an expired password; null gives up.</summary>
    public Func<SshPasswordChangeRequest, CancellationToken, ValueTask<SshPasswordChange?>>? PasswordChangeCallback { get; set; }

    /// <summary>Answers keyboard-interactive prompts (one answer per prompt, in order); null gives up.</summary>
    public Func<SshKeyboardInteractiveRequest, CancellationToken, ValueTask<IReadOnlyList<string>?>>? KeyboardInteractiveCallback { get; set; }

    /// <summary>Shows the server's SSH_MSG_USERAUTH_BANNER text (ssh prints it to stderr unless -q).</summary>
    public Action<string>? BannerCallback { get; set; }

    /// <summary>Decides whether the server's host key is acceptable. Unset: every key is accepted (programs must set it).</summary>
    public Func<SshHostKeyContext, CancellationToken, ValueTask<bool>>? HostKeyVerifier { get; set; }

    /// <summary>OpenSSH's PreferredAuthentications (without gssapi, which Lucid does not do).</summary>
    public IList<string> PreferredAuthentications { get; set; } = ["publickey", "keyboard-interactive", "password"];

    /// <summary>Signature algorithms we are willing to use for publickey; null means OpenSSH's default (no ssh-rsa).</summary>
    public IList<string>? PubkeyAcceptedAlgorithms { get; set; }

    /// <summary>OpenSSH's NumberOfPasswordPrompts: attempts for password and keyboard-interactive each.</summary>
    public int NumberOfPasswordPrompts { get; set; } = 3;

    /// <summary>Algorithm preferences; null keeps the transport's defaults (OpenSSH 10's order).</summary>
    public IList<string>? KexAlgorithms { get; set; }
    public IList<string>? HostKeyAlgorithms { get; set; }
    public IList<string>? Ciphers { get; set; }
    public IList<string>? Macs { get; set; }

    /// <summary>Offer zlib@openssh.com compression (ssh -C).</summary>
    public bool Compression { get; set; }

    /// <summary>Rekey after this many bytes (OpenSSH RekeyLimit's first value); null: the cipher's default.</summary>
    public long? RekeyLimitBytes { get; set; }

    /// <summary>Rekey after this much time (RekeyLimit's second value); null: never by time.</summary>
    public TimeSpan? RekeyLimitTime { get; set; }

    /// <summary>TCP connect timeout (ConnectTimeout); null waits for the system's own.</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Window and packet sizes for our channels.</summary>
    public SshChannelOptions ChannelOptions { get; set; } = SshChannelOptions.Default;

    public ILogger? Logger { get; set; }

    /// <summary>Told as the connection passes each stage (Dns, Tcp, Version, Kex, HostKey, Auth) and where it failed.</summary>
    public ISshStageObserver? Observer { get; set; }
}

/// <summary>What a host key verifier sees: where we connected and the key the server proved it holds.</summary>
public sealed record SshHostKeyContext(string Host, int Port, SshPublicKey HostKey);
