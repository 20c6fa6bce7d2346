namespace Lucid.Ssh.Agent;

/// <summary>Why an agent request failed, in the terms ssh-add reports (authfd.c's error codes).</summary>
public enum SshAgentFailure
{
    /// <summary>The agent answered SSH_AGENT_FAILURE: "agent refused operation".</summary>
    Refused,

    /// <summary>The connection broke or carried a reply too long or malformed: "communication with agent failed".</summary>
    CommunicationFailed,

    /// <summary>An answer that made no sense for the request: "unexpected internal error" in OpenSSH's terms.</summary>
    InvalidReply,
}

/// <summary>An agent request that did not succeed.</summary>
public sealed class SshAgentException : SshException
{
    public SshAgentException(SshAgentFailure failure, Exception? inner = null)
        : base(Describe(failure), inner) => Failure = failure;

    public SshAgentFailure Failure { get; }

    /// <summary>OpenSSH's ssh_err() wording for the failure.</summary>
    public static string Describe(SshAgentFailure failure) => failure switch
    {
        SshAgentFailure.Refused => "agent refused operation",
        SshAgentFailure.CommunicationFailed => "communication with agent failed",
        _ => "unexpected internal error",
    };
}
