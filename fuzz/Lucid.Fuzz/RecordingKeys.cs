using System.Reflection;
using Lucid.Ssh.Keys;

namespace Lucid.Fuzz;

/// <summary>
/// The keys OpenSSH used when the corpus was recorded (fuzz/recording, written by ssh-keygen; test keys, never
/// secrets): the harnesses' authorized_keys holds their public halves, so the recorded publickey requests reach
/// signature verification and success instead of stopping at "key not allowed".
/// </summary>
internal static class RecordingKeys
{
    public static string AuthorizedKeys { get; } =
        string.Concat(new[] { "id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub" }.Select(Resource));

    /// <summary>The client key the user-auth recordings were made with (their PK_OK names it).</summary>
    public static SshPrivateKey ClientKey => Key("id_ed25519");

    /// <summary>One of the recording keys (id_ed25519, id_ecdsa, id_rsa).</summary>
    public static SshPrivateKey Key(string name) => PrivateKeyFile.Parse(Resource(name));

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("recording/" + name)
            ?? throw new InvalidOperationException($"embedded resource recording/{name} is missing");
        return new StreamReader(stream).ReadToEnd();
    }
}
