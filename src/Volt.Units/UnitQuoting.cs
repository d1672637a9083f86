using System.Text;

namespace Volt.Units;

/// <summary>Escaping of values for systemd: what <see cref="UnitCommand"/> and the typed views undo.</summary>
public static class UnitQuoting
{
    /// <summary>
    /// One word of a command line or environment list: <c>%</c> → <c>%%</c> (specifiers), <c>$</c> → <c>$$</c>
    /// (variable expansion), double quotes with C escapes when the word has whitespace, quotes, backslashes or
    /// control characters, or is empty; a lone <c>;</c> is written <c>\;</c>.
    /// </summary>
    public static string Quote(string arg)
    {
        var escaped = Specifiers(arg).Replace("$", "$$");
        if (escaped == ";") return "\\;"; // a lone ; would separate commands
        var needsQuotes = escaped.Length == 0 || escaped.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch) || ch is '"' or '\'' or '\\');
        if (!needsQuotes) return escaped;
        var sb = new StringBuilder("\"");
        foreach (var ch in escaped)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ' or '\x7f': sb.Append("\\x").Append(((int)ch).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A whole command line: each word quoted, joined by spaces.</summary>
    public static string CommandLine(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));

    /// <summary>One <c>Environment=</c> assignment, quoted as a single word.</summary>
    public static string Environment(string name, string value) => QuoteNoDollar(name + "=" + value);

    /// <summary>A plain value where only specifiers are expanded (Description=, paths, User=): <c>%</c> → <c>%%</c>.</summary>
    public static string Specifiers(string value) => value.Replace("%", "%%");

    /// <summary>Environment= does not expand <c>$</c>: only specifiers and quoting.</summary>
    private static string QuoteNoDollar(string word)
    {
        var q = Quote(word);
        return q.Replace("$$", "$");
    }
}
