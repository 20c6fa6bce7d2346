using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// OpenSSH's three expansions: %-tokens (only the letters a keyword allows), ${VAR} environment references and a
/// leading ~ or ~user. Failures carry OpenSSH's own wording.
/// </summary>
internal static class SshConfigExpansion
{
    /// <summary>Expands %x tokens from <paramref name="tokens"/> (letter → value) and, when
    /// <paramref name="environment"/> is given, ${VAR}. Throws with OpenSSH's message on an unknown token.</summary>
    public static string Expand(string text, IReadOnlyDictionary<char, string>? tokens, Func<string, string?>? environment)
    {
        var error = TryExpand(text, tokens, environment, out var result);
        if (error is null)
            return result!;
        // A missing variable is not a syntax error to OpenSSH: it reports it, then refuses the whole value.
        if (error.StartsWith("env var ", StringComparison.Ordinal))
            throw new SshConfigException([$"vdollar_percent_expand: {error}", "invalid environment variable expansion"]);
        var caller = environment is null ? "percent_expand" : "percent_dollar_expand";
        throw new SshConfigException([$"vdollar_percent_expand: {error}", $"{caller}: failed"]);
    }

    /// <summary>Returns null on success, otherwise the problem in OpenSSH's words.</summary>
    public static string? TryExpand(string text, IReadOnlyDictionary<char, string>? tokens, Func<string, string?>? environment,
        out string? result)
    {
        result = null;
        var sb = new StringBuilder();
        string? missing = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (environment is not null && text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf('}', i + 2);
                if (end < 0)
                    return $"environment variable '{text[(i + 2)..]}' missing closing '}}'";
                var name = text[(i + 2)..end];
                if (name.Length == 0)
                    return "zero-length environment variable";
                var value = environment(name);
                if (value is null)
                    missing ??= $"env var ${{{name}}} has no value";
                else
                    sb.Append(value);
                i = end;
                continue;
            }
            if (text[i] != '%' || tokens is null)
            {
                sb.Append(text[i]);
                continue;
            }
            i++;
            if (i >= text.Length)
                return "invalid format";
            if (text[i] == '%')
            {
                sb.Append('%');
                continue;
            }
            if (!tokens.TryGetValue(text[i], out var replacement))
                return $"unknown key %{text[i]}";
            sb.Append(replacement);
        }
        if (missing is not null)
            return missing;
        result = sb.ToString();
        return null;
    }

    /// <summary>Replaces a leading ~ (this user's home) or ~user (that user's home, from /etc/passwd).</summary>
    public static string ExpandTilde(string path, string homeDirectory)
    {
        if (path.Length == 0 || path[0] != '~')
            return path;
        var rest = path[1..];
        string home;
        string? tail;
        if (rest.Length == 0 || rest[0] == '/')
        {
            home = homeDirectory;
            tail = rest.TrimStart('/');
        }
        else
        {
            var slash = rest.IndexOf('/');
            var user = slash < 0 ? rest : rest[..slash];
            tail = slash < 0 ? "" : rest[(slash + 1)..].TrimStart('/');
            home = SshConfigLocalUser.HomeOf(user)
                ?? throw new SshConfigException([$"tilde_expand: No such user {user}"]);
        }
        return home.EndsWith('/') ? home + tail : home + "/" + tail;
    }
}
