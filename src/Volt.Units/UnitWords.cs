using System.Globalization;
using System.Text;

namespace Volt.Units;

/// <summary>
/// systemd's word splitting for command lines and <c>Environment=</c> (extract_first_word with UNQUOTE|CUNESCAPE):
/// whitespace separates words, single and double quotes group (also mid-word), backslash C escapes everywhere.
/// Errors are plain messages; the caller adds the location.
/// </summary>
internal static class UnitWords
{
    public static List<string> Split(string text) => [.. SplitRaw(text).Select(w => w.Word)];

    /// <summary>The words with their raw text, to tell a lone <c>;</c> from an escaped <c>\;</c>.</summary>
    public static List<(string Word, string Raw)> SplitRaw(string text)
    {
        var words = new List<(string, string)>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\r') i++;
            if (i >= text.Length) return words;
            var sb = new StringBuilder();
            var begin = i;
            char quote = '\0';
            for (; i < text.Length; i++)
            {
                var ch = text[i];
                if (quote == '\0' && ch is ' ' or '\t' or '\n' or '\r') break;
                if (ch == '\\') { i = Unescape(text, i, sb); continue; }
                if (quote != '\0' && ch == quote) { quote = '\0'; continue; }
                if (quote == '\0' && ch is '"' or '\'') { quote = ch; continue; }
                sb.Append(ch);
            }
            if (quote != '\0') throw new FormatException($"unterminated {(quote == '"' ? "double" : "single")} quote");
            words.Add((sb.ToString(), text[begin..i]));
        }
    }

    /// <summary>Appends the escape starting at text[i] (a backslash); returns the index of its last character.</summary>
    private static int Unescape(string text, int i, StringBuilder sb)
    {
        if (i + 1 >= text.Length) throw new FormatException("trailing backslash");
        var c = text[i + 1];
        switch (c)
        {
            case 'a': sb.Append('\a'); return i + 1;
            case 'b': sb.Append('\b'); return i + 1;
            case 'f': sb.Append('\f'); return i + 1;
            case 'n': sb.Append('\n'); return i + 1;
            case 'r': sb.Append('\r'); return i + 1;
            case 't': sb.Append('\t'); return i + 1;
            case 'v': sb.Append('\v'); return i + 1;
            case 's': sb.Append(' '); return i + 1;
            case '\\' or '"' or '\'' or ' ' or ';': sb.Append(c); return i + 1;
            case 'x': return Code(text, i, 2, 16, sb);
            case 'u': return Code(text, i, 4, 16, sb);
            case 'U': return Code(text, i, 8, 16, sb);
            case >= '0' and <= '7': return Code(text, i, 3, 8, sb, 1);
            default: throw new FormatException($"invalid escape \\{c}");
        }
    }

    private static int Code(string text, int i, int digits, int radix, StringBuilder sb, int skip = 2)
    {
        var start = i + skip;
        if (start + digits > text.Length) throw new FormatException("truncated escape sequence");
        long value = 0;
        for (var k = 0; k < digits; k++)
        {
            var d = HexValue(text[start + k]);
            if (d < 0 || d >= radix) throw new FormatException($"invalid escape \\{text.Substring(i + 1, Math.Min(digits + skip - 1, text.Length - i - 1))}");
            value = value * radix + d;
        }
        if (value == 0) throw new FormatException("escaped NUL character");
        if (value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF) throw new FormatException("escape is not a valid code point");
        if (radix == 8 && value > 0xFF) throw new FormatException("octal escape above \\377");
        sb.Append(char.ConvertFromUtf32((int)value));
        return start + digits - 1;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static string Hex(int v) => v.ToString("x", CultureInfo.InvariantCulture);
}
