using System.Text;

namespace Volt.Compose.Loading;

/// <summary>
/// <c>.env</c> and <c>env_file</c> files as compose reads them: <c>KEY=VALUE</c> lines, <c>export </c> prefixes,
/// <c>#</c> comments (inline ones after whitespace on unquoted values), single quotes literal, double quotes with
/// <c>\n \t \" \\</c> escapes; a bare <c>KEY</c> takes its value from the environment (left out if unset there).
/// </summary>
public static class DotEnv
{
    /// <summary>The variables in file order; throws <see cref="FormatException"/> "line N: …" for a malformed line.</summary>
    public static List<KeyValuePair<string, string?>> Parse(string text, Func<string, string?>? lookup = null)
    {
        var result = new List<KeyValuePair<string, string?>>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var eq = line.IndexOf('=');
            var key = (eq < 0 ? line : line[..eq]).Trim();
            if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c)))
                throw new FormatException($"line {n + 1}: \"{lines[n].Trim()}\" is not KEY=VALUE");
            if (eq < 0)
            {
                var v = lookup?.Invoke(key);
                if (v is not null) result.Add(new(key, v));
                continue;
            }
            var raw = line[(eq + 1)..].TrimStart();
            string value;
            if (raw.StartsWith('\'') || raw.StartsWith('"'))
            {
                var q = raw[0];
                var sb = new StringBuilder();
                var i = 1;
                var closed = false;
                // A quoted value may span lines.
                while (true)
                {
                    for (; i < raw.Length; i++)
                    {
                        var c = raw[i];
                        if (c == q) { closed = true; break; }
                        if (q == '"' && c == '\\' && i + 1 < raw.Length)
                        {
                            i++;
                            sb.Append(raw[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var o => o });
                            continue;
                        }
                        sb.Append(c);
                    }
                    if (closed || n + 1 >= lines.Length) break;
                    sb.Append('\n');
                    raw = lines[++n];
                    i = 0;
                }
                if (!closed) throw new FormatException($"line {n + 1}: a {q} quote is never closed");
                value = sb.ToString();
            }
            else
            {
                var hash = raw.IndexOf(" #", StringComparison.Ordinal);
                value = (hash >= 0 ? raw[..hash] : raw).Trim();
            }
            result.Add(new(key, value));
        }
        return result;
    }
}
