using System.Text;

namespace Volt.Compose.Parsing;

/// <summary>Splits a command string into words as a POSIX shell would (quotes and backslashes; no expansion).</summary>
public static class ShellWords
{
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { if (inWord) { words.Add(sb.ToString()); sb.Clear(); inWord = false; } continue; }
            inWord = true;
            if (c == '\\' && i + 1 < text.Length) { sb.Append(text[++i]); continue; }
            if (c is '\'' or '"')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != c)
                {
                    if (c == '"' && text[end] == '\\' && end + 1 < text.Length && text[end + 1] is '"' or '\\' or '$' or '`') { sb.Append(text[end + 1]); end += 2; continue; }
                    sb.Append(text[end++]);
                }
                if (end >= text.Length) throw new FormatException($"a {c} quote is never closed");
                i = end;
                continue;
            }
            sb.Append(c);
        }
        if (inWord) words.Add(sb.ToString());
        return words;
    }

    /// <summary>One word quoted for <c>/bin/sh</c> when it needs it.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(ch => char.IsAsciiLetterOrDigit(ch) || "-_./:=@%+,".Contains(ch)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
