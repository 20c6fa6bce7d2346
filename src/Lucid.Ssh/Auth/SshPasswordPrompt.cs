namespace Lucid.Ssh.Auth;

/// <summary>
/// A request for a password. <see cref="Prompt"/> is OpenSSH's wording ("alice@host's password: ");
/// <see cref="Attempt"/> counts from 1, so a caller can print "Permission denied, please try again." before the second.
/// </summary>
public sealed record SshPasswordPrompt(string User, string Host, string Prompt, int Attempt);

/// <summary>The server demands a new password (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ) with this prompt.</summary>
public sealed record SshPasswordChangeRequest(string User, string Host, string Prompt);

/// <summary>The answer to a change request: the current password and the new one.</summary>
public sealed record SshPasswordChange(string OldPassword, string NewPassword);

/// <summary>One keyboard-interactive prompt; <see cref="Echo"/> false means the answer is secret (do not echo it).</summary>
public sealed record SshKeyboardInteractivePrompt(string Prompt, bool Echo);

/// <summary>An SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256 section 3.2): a name, an instruction and prompts to answer in order.</summary>
public sealed record SshKeyboardInteractiveRequest(string Name, string Instruction, IReadOnlyList<SshKeyboardInteractivePrompt> Prompts);
