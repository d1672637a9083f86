using System.Text;
using Volt.Core.Errors;

namespace Volt.Workloads.Nspawn;

/// <summary>
/// A container's environment in systemd-nspawn's own settings file, <c>&lt;dir&gt;/&lt;name&gt;.nspawn</c> beside its
/// <c>rootfs/</c>, mode 0600: nspawn finds it there by the machine name (<c>-M</c>) and applies its <c>[Exec]
/// Environment=</c> lines as it would <c>--setenv=</c>. So <c>-e</c> values (secrets) are never on nspawn's command
/// line (world-readable in /proc), in the unit's <c>ExecStart=</c> or in <c>config.json</c> (both world-readable
/// for the read-only views); see docs/security.md. Values are single-quoted (a <c>'</c> as <c>'"'"'</c>), which
/// nspawn reads back exactly; a value holding a line break or NUL cannot be written and is refused.
/// </summary>
public static class NspawnSettings
{
    private const string LaunchMarker = "# set by voltd at start, not part of the container's config:";

    public static string FileName(string container) => container + ".nspawn";

    /// <summary>Throws exit 2 when <paramref name="env"/> (KEY=VALUE) cannot be carried by a settings file.</summary>
    public static void Validate(string env)
    {
        if (env.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
            throw VoltException.Usage($"invalid --env \"{env[..Math.Max(0, env.IndexOf('='))]}\": a value may not hold a line break or NUL");
    }

    /// <param name="launch">Variables the launcher adds (HOME of a switched user), kept apart so they never read back as config.</param>
    public static string Render(IReadOnlyList<string> env, IReadOnlyList<string>? launch = null)
    {
        var sb = new StringBuilder("# Written by Volt: the container's environment (mode 0600, it may hold secrets).\n[Exec]\n");
        foreach (var e in env) { Validate(e); sb.Append("Environment=").Append(Quote(e)).Append('\n'); }
        if (launch is { Count: > 0 })
        {
            sb.Append(LaunchMarker).Append('\n');
            foreach (var e in launch) { Validate(e); sb.Append("Environment=").Append(Quote(e)).Append('\n'); }
        }
        return sb.ToString();
    }

    /// <summary>The configured environment back from <see cref="Render"/>'s text (launch additions left out).</summary>
    public static IReadOnlyList<string> ParseEnv(string text)
    {
        var env = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line == LaunchMarker) break;
            if (line.StartsWith("Environment=", StringComparison.Ordinal)) env.Add(Unquote(line["Environment=".Length..]));
        }
        return env;
    }

    public static string Quote(string s) => "'" + s.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

    /// <summary>Adjacent single- and double-quoted segments, as nspawn's parser joins them (no escapes inside).</summary>
    public static string Unquote(string s)
    {
        var sb = new StringBuilder(s.Length);
        char? quote = null;
        foreach (var c in s)
        {
            if (quote is null && c is '\'' or '"') { quote = c; continue; }
            if (c == quote) { quote = null; continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
