using Lucid.Ssh.Agent;
using Lucid.Ssh.Keys;

namespace Lucid.Fuzz.Targets;

/// <summary>The agent protocol as a hosted agent reads it from its socket (`lucid ssh-agent`).</summary>
internal static class AgentTargets
{
    /// <summary>
    /// One client connection's bytes, served by an agent that already holds a key and has a confirm callback, so
    /// that sign, remove and confirm paths run. The server must answer or hang up, never throw.
    /// </summary>
    public static void Server(byte[] data)
    {
        using var server = new SshAgentServer(new SshAgentServerOptions { Confirm = (_, _) => ValueTask.FromResult(false) })
        {
            UnlockFailureDelay = TimeSpan.Zero,
        };
        server.Add(SshPrivateKey.Generate("ed25519"), "held");
        server.ServeAsync(new ScriptedStream(data)).GetAwaiter().GetResult();
    }
}
