using System.Text;

namespace Volt.Images.Build.Containerfiles;

/// <summary>
/// Dockerfile word processing (the rules of moby's <c>shell_parser.go</c>): quotes, the escape character and
/// environment replacement in one pass. <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-word}</c>, <c>${NAME:+word}</c>,
/// <c>${NAME-word}</c>, <c>${NAME+word}</c>, <c>${NAME:?msg}</c>; single quotes keep everything literal, double
/// quotes keep whitespace and expand; the escape character (<c>\</c> or <c>`</c>) makes the next character literal
/// (inside double quotes only before <c>"</c>, <c>$</c> and itself). Unset names expand to nothing.
/// </summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="input"/> (split on unquoted whitespace), quotes removed, variables expanded.</summary>
    public static List<string> Words(string input, Func<string, string?> lookup, char escape = '\\') => Run(input, lookup, escape, split: true);

    /// <summary>One word: <paramref name="input"/> with quotes removed and variables expanded, whitespace kept.</summary>
    public static string Word(string input, Func<string, string?> lookup, char escape = '\\') => string.Concat(Run(input, lookup, escape, split: false));

    private static List<string> Run(string s, Func<string, string?> lookup, char escape, bool split)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (split && char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(cur.ToString()); cur.Clear(); inWord = false; }
                i++;
                continue;
            }
            inWord = true;
            if (c == escape)
            {
                if (i + 1 < s.Length) { cur.Append(s[i + 1]); i += 2; }
                else { cur.Append(c); i++; }
                continue;
            }
            if (c == '\'')
            {
                var end = s.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException("unexpected end of statement while looking for matching single-quote");
                cur.Append(s, i + 1, end - i - 1);
                i = end + 1;
                continue;
            }
            if (c == '"')
            {
                i++;
                var closed = false;
                while (i < s.Length)
                {
                    var d = s[i];
                    if (d == '"') { closed = true; i++; break; }
                    if (d == escape && i + 1 < s.Length && (s[i + 1] == '"' || s[i + 1] == '$' || s[i + 1] == escape)) { cur.Append(s[i + 1]); i += 2; continue; }
                    if (d == '$') { i = Variable(s, i, lookup, escape, cur); continue; }
                    cur.Append(d);
                    i++;
                }
                if (!closed) throw new FormatException("unexpected end of statement while looking for matching double-quote");
                continue;
            }
            if (c == '$') { i = Variable(s, i, lookup, escape, cur); continue; }
            cur.Append(c);
            i++;
        }
        if (inWord) words.Add(cur.ToString());
        return words;
    }

    private static bool IsNameChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    /// <summary>Expands the variable at <paramref name="i"/> (a '$') into <paramref name="into"/>; returns the index after it.</summary>
    private static int Variable(string s, int i, Func<string, string?> lookup, char escape, StringBuilder into)
    {
        var j = i + 1;
        if (j >= s.Length) { into.Append('$'); return j; }
        if (s[j] == '{')
        {
            var close = Matching(s, j);
            if (close < 0) throw new FormatException("missing '}' in a ${...} expansion");
            var body = s[(j + 1)..close];
            var k = 0;
            while (k < body.Length && IsNameChar(body[k])) k++;
            var name = body[..k];
            if (name.Length == 0) throw new FormatException($"bad substitution: ${{{body}}}");
            var value = lookup(name);
            var rest = body[k..];
            if (rest.Length == 0) into.Append(value);
            else
            {
                var colon = rest[0] == ':';
                var op = colon ? (rest.Length > 1 ? rest[1] : '\0') : rest[0];
                var word = rest[(colon ? 2 : 1)..];
                var set = colon ? !string.IsNullOrEmpty(value) : value is not null;
                switch (op)
                {
                    case '-': into.Append(set ? value : Word(word, lookup, escape)); break;
                    case '+': into.Append(set ? Word(word, lookup, escape) : ""); break;
                    case '?':
                        if (!set) throw new FormatException($"{name}: {(word.Length > 0 ? Word(word, lookup, escape) : "is not allowed to be unset")}");
                        into.Append(value);
                        break;
                    default: throw new FormatException($"unsupported modifier ({rest}) in substitution ${{{body}}}");
                }
            }
            return close + 1;
        }
        var n = j;
        while (n < s.Length && IsNameChar(s[n])) n++;
        if (n == j) { into.Append('$'); return j; }
        into.Append(lookup(s[j..n]));
        return n;
    }

    private static int Matching(string s, int open)
    {
        var depth = 0;
        for (var k = open; k < s.Length; k++)
        {
            if (s[k] == '{') depth++;
            else if (s[k] == '}' && --depth == 0) return k;
        }
        return -1;
    }
}
