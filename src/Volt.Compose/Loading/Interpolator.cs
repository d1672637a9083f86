using System.Text;

namespace Volt.Compose.Loading;

/// <summary>
/// compose-spec interpolation: <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR-default}</c>,
/// <c>${VAR:?error}</c>, <c>${VAR?error}</c>, <c>${VAR:+alt}</c>, <c>${VAR+alt}</c> (defaults nest), and
/// <c>$$</c> for a literal <c>$</c>. An unset variable without a default is the empty string (and is reported).
/// </summary>
public sealed class Interpolator(Func<string, string?> lookup)
{
    /// <summary>Variables used without a value and without a default (compose warns about them).</summary>
    public SortedSet<string> Unset { get; } = new(StringComparer.Ordinal);

    /// <summary>The text with every reference replaced; a <c>:?</c>/<c>?</c> on an unset variable throws
    /// <see cref="InterpolationException"/> with the message given.</summary>
    public string Apply(string text)
    {
        if (!text.Contains('$')) return text;
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$' || i + 1 >= text.Length) { sb.Append(c); i++; continue; }
            var n = text[i + 1];
            if (n == '$') { sb.Append('$'); i += 2; continue; }
            if (n == '{')
            {
                var end = Closing(text, i + 2);
                if (end < 0) throw new InterpolationException($"invalid interpolation format in \"{text}\": a '${{' is never closed");
                sb.Append(Braced(text[(i + 2)..end], text));
                i = end + 1;
                continue;
            }
            if (IsNameStart(n))
            {
                var j = i + 1;
                while (j < text.Length && IsNameChar(text[j])) j++;
                sb.Append(Value(text[(i + 1)..j]) ?? "");
                i = j;
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();
    }

    private string Braced(string body, string whole)
    {
        var j = 0;
        while (j < body.Length && IsNameChar(body[j])) j++;
        var name = body[..j];
        if (name.Length == 0 || !IsNameStart(name[0])) throw new InterpolationException($"invalid interpolation format in \"{whole}\": \"${{{body}}}\" has no variable name");
        if (j == body.Length) return Value(name) ?? "";
        var rest = body[j..];
        var colon = rest.StartsWith(':');
        var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
        var arg = rest[(colon ? 2 : 1)..];
        var raw = lookup(name);
        var missing = colon ? string.IsNullOrEmpty(raw) : raw is null;
        switch (op)
        {
            case '-': return missing ? Apply(arg) : raw!;
            case '?': return missing ? throw new InterpolationException(arg.Length > 0 ? $"required variable {name} is missing a value: {Apply(arg)}" : $"required variable {name} is missing a value") : raw!;
            case '+': return missing ? "" : Apply(arg);
            default: throw new InterpolationException($"invalid interpolation format in \"{whole}\": unsupported operator in \"${{{body}}}\"");
        }
    }

    private string? Value(string name)
    {
        var v = lookup(name);
        if (v is null) Unset.Add(name);
        return v;
    }

    /// <summary>The index of the '}' closing a '${' whose body starts at <paramref name="from"/> (nested braces counted).</summary>
    private static int Closing(string text, int from)
    {
        var depth = 1;
        for (var k = from; k < text.Length; k++)
        {
            if (text[k] == '$' && k + 1 < text.Length && text[k + 1] == '{') { depth++; k++; continue; }
            if (text[k] == '}' && --depth == 0) return k;
        }
        return -1;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}

public sealed class InterpolationException(string message) : Exception(message);
