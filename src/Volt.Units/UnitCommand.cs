namespace Volt.Units;

/// <summary>
/// One command line of <c>ExecStart=</c>, <c>ExecStartPre=</c> or <c>ExecStop=</c>: the program (absolute path, or a
/// bare name systemd looks up in its fixed search path), its arguments after argv[0], and the <c>-</c> prefix
/// ("a failure of this command is not a failure of the unit").
/// </summary>
public sealed record UnitCommand(string Path, IReadOnlyList<string> Args, bool IgnoreFailure)
{
    /// <summary>argv as the process receives it: the path, then the arguments.</summary>
    public IReadOnlyList<string> Argv => [Path, .. Args];

    /// <summary>Parses a command-line value (after the directive's <c>=</c>); errors are plain messages.</summary>
    public static UnitCommand Parse(string value)
    {
        var ignore = false;
        var text = value;
        while (text.Length > 0 && text[0] is '-' or '@' or ':' or '+' or '!')
        {
            if (text[0] != '-') throw new FormatException($"unsupported command prefix '{text[0]}' (voltd implements: '-')");
            if (ignore) throw new FormatException("'-' prefix given twice");
            ignore = true;
            text = text[1..];
        }
        var words = UnitWords.SplitRaw(UnitSpecifiers.Expand(text));
        if (words.Count == 0) throw new FormatException("empty command line");
        var path = words[0].Word;
        if (path.Contains('$')) throw new FormatException($"unsupported '$' in the executable \"{path}\"");
        if (!path.StartsWith('/') && path.Contains('/'))
            throw new FormatException($"\"{path}\" is neither a valid executable name nor an absolute path");
        var args = new List<string>(words.Count - 1);
        foreach (var (w, raw) in words.Skip(1))
        {
            if (raw == ";") throw new FormatException("unsupported ';' separating commands (write one directive per command, or \\; for a literal ;)");
            args.Add(Dollars(w));
        }
        return new UnitCommand(path, args, ignore);
    }

    /// <summary><c>$$</c> → <c>$</c>; <c>$NAME</c> and <c>${NAME}</c> (environment expansion) are refused: Volt writes none.</summary>
    private static string Dollars(string word)
    {
        if (!word.Contains('$')) return word;
        var sb = new System.Text.StringBuilder(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] != '$') { sb.Append(word[i]); continue; }
            var next = i + 1 < word.Length ? word[i + 1] : '\0';
            if (next == '$') { sb.Append('$'); i++; continue; }
            if (next == '{' || next == '_' || char.IsAsciiLetter(next))
                throw new FormatException($"unsupported environment variable expansion in \"{word}\" (write $$ for a literal $)");
            sb.Append('$');
        }
        return sb.ToString();
    }
}
