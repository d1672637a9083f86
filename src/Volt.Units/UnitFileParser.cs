namespace Volt.Units;

/// <summary>
/// systemd.syntax(7): <c>[Section]</c> headers, <c>Key=Value</c> with whitespace around both stripped, <c>#</c>/<c>;</c>
/// comment lines, a trailing backslash joining the next line (replaced by a space; comment lines inside a continuation
/// skipped). Errors name the line and column where the offending text starts.
/// </summary>
internal static class UnitFileParser
{
    private const string Whitespace = " \t\r";

    public static UnitFile Parse(string text, string path)
    {
        var allowed = UnitSchema.SectionsFor(path);
        var preamble = new List<UnitComment>();
        var sections = new List<UnitSection>();
        string? section = null;
        var sectionLine = 0;
        List<UnitEntry>? entries = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNo = i + 1;
            var raw = lines[i];
            var nul = raw.IndexOf('\0');
            if (nul >= 0) throw new UnitFileException(path, lineNo, nul + 1, "NUL character in unit file");
            var start = Skip(raw, 0);
            var content = raw.TrimEnd(Whitespace.ToCharArray());
            if (start >= content.Length) continue;
            if (content[start] is '#' or ';')
            {
                var comment = new UnitComment(content[start..], lineNo);
                if (entries is null) preamble.Add(comment); else entries.Add(comment);
                continue;
            }
            if (content[start] == '[')
            {
                if (content[^1] != ']') throw new UnitFileException(path, lineNo, start + 1, "invalid section header (expected [Name])");
                var name = content[(start + 1)..^1];
                if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                    throw new UnitFileException(path, lineNo, start + 1, $"invalid section header [{name}]");
                if (!UnitSchema.Sections.ContainsKey(name) || !allowed.Contains(name))
                    throw new UnitFileException(path, lineNo, start + 1, $"unsupported section [{name}] (voltd implements: {string.Join(", ", allowed.Select(s => "[" + s + "]"))})");
                Close(sections, section, sectionLine, entries);
                section = name;
                sectionLine = lineNo;
                entries = [];
                continue;
            }
            // A directive, possibly continued over following lines.
            var first = lineNo;
            var logical = content;
            while (EndsWithContinuation(logical))
            {
                logical = logical[..^1] + " ";
                var next = NextContinuation(lines, ref i, path);
                if (next is null) break;
                logical += next;
            }
            var eq = logical.IndexOf('=');
            if (eq < 0) throw new UnitFileException(path, first, start + 1, $"missing '=' in \"{Shorten(logical[start..])}\"");
            var key = logical[start..eq].TrimEnd(Whitespace.ToCharArray());
            if (key.Length == 0) throw new UnitFileException(path, first, start + 1, "missing directive name before '='");
            if (section is null) throw new UnitFileException(path, first, start + 1, $"{key}= outside of any section");
            if (!UnitSchema.Supports(section, key))
                throw new UnitFileException(path, first, start + 1, $"unsupported directive {Shorten(key)}= in [{section}] (voltd implements: {UnitSchema.Describe(section)})");
            var vs = Skip(logical, eq + 1);
            entries!.Add(new UnitDirective(key, logical[vs..].TrimEnd(Whitespace.ToCharArray()), first, start + 1, vs + 1));
        }
        Close(sections, section, sectionLine, entries);
        return new UnitFile(path, preamble, sections);
    }

    /// <summary>The next line that is not a comment (comment lines inside a continuation are skipped), or null at the end.</summary>
    private static string? NextContinuation(string[] lines, ref int i, string path)
    {
        while (i + 1 < lines.Length)
        {
            i++;
            var next = lines[i];
            if (next.IndexOf('\0') is var n and >= 0) throw new UnitFileException(path, i + 1, n + 1, "NUL character in unit file");
            var ns = Skip(next, 0);
            if (ns < next.Length && next[ns] is '#' or ';') continue;
            return next.TrimEnd(Whitespace.ToCharArray());
        }
        return null;
    }

    private static void Close(List<UnitSection> sections, string? name, int line, List<UnitEntry>? entries)
    {
        if (name is not null) sections.Add(new UnitSection(name, line, entries!));
    }

    private static int Skip(string s, int i)
    {
        while (i < s.Length && Whitespace.Contains(s[i])) i++;
        return i;
    }

    /// <summary>An odd number of trailing backslashes: the last one is not escaped, so the line continues.</summary>
    private static bool EndsWithContinuation(string s)
    {
        var n = 0;
        for (var i = s.Length - 1; i >= 0 && s[i] == '\\'; i--) n++;
        return n % 2 == 1;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
