using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Volt.Core.Config;
using Volt.Core.Errors;

namespace Volt.Cli;

/// <summary>
/// The shared value rules of every command's options and arguments (docs/cli.md, "Values"). Each rule checks the
/// text at parse time, so a bad value is exit 2 with one plain line naming the option
/// (<c>invalid --port "99999": expected a port from 1 to 65535</c>) before any engine runs. Attach them where the
/// option is declared: <c>new Option&lt;int&gt;("--port") { … }.AcceptPort()</c>.
/// </summary>
internal static class CliValues
{
    /// <summary>The longest socket path a unix socket address holds (sun_path is 108 bytes with its NUL).</summary>
    public const int MaxSocketPath = 107;

    /// <summary>
    /// Every string-list argument and option in <paramref name="command"/>'s tree without a parser of its own takes its
    /// tokens as they are. The library's converter makes the array with <c>Array.CreateInstance</c>, which starts the
    /// reflection type loader (a share of every <c>volt service start NAME</c>); for strings the tokens are the values,
    /// so the result is the same array.
    /// </summary>
    public static void ReadStringListsDirectly(Command command)
    {
        foreach (var a in command.Arguments)
            if (a is Argument<string[]> { CustomParser: null } list) list.CustomParser = TokenValues;
        foreach (var o in command.Options)
            if (o is Option<string[]> { CustomParser: null } list) list.CustomParser = TokenValues;
        foreach (var c in command.Subcommands) ReadStringListsDirectly(c);
    }

    private static string[] TokenValues(ArgumentResult r)
    {
        var values = new string[r.Tokens.Count];
        for (var i = 0; i < values.Length; i++) values[i] = r.Tokens[i].Value;
        return values;
    }

    /// <summary>A TCP port: 1–65535, and 0 ("pick a free port") only where <paramref name="allowZero"/>.</summary>
    public static Option<int> AcceptPort(this Option<int> o, bool allowZero = false)
    {
        o.CustomParser = r => Port(r, allowZero) ?? 0;
        return o;
    }

    /// <inheritdoc cref="AcceptPort(Option{int}, bool)"/>
    public static Option<int?> AcceptPort(this Option<int?> o, bool allowZero = false)
    {
        o.CustomParser = r => Port(r, allowZero);
        return o;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> AcceptInt(this Option<int> o, int min, int max = int.MaxValue)
    {
        o.CustomParser = r => Int(r, min, max) ?? 0;
        return o;
    }

    /// <inheritdoc cref="AcceptInt(Option{int}, int, int)"/>
    public static Option<int?> AcceptInt(this Option<int?> o, int min, int max = int.MaxValue)
    {
        o.CustomParser = r => Int(r, min, max);
        return o;
    }

    /// <summary>Seconds as a finite decimal number (no NaN, no infinity) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<double> AcceptSeconds(this Option<double> o, double min, double max = 86_400 * 365.0)
    {
        o.CustomParser = r =>
        {
            var text = Text(r);
            if (TryParseNumber(text, out var v) && v >= min && v <= max) return v;
            if (Volt.Core.Config.DurationParser.TryParse(text, out var d) && d.TotalSeconds >= min && d.TotalSeconds <= max) return d.TotalSeconds;
            r.AddError($"invalid {Name(r)} {Quote(text)}: expected a number of seconds (or a duration like 30s or 2m) from {Num(min)} to {Num(max)}");
            return 0;
        };
        return o;
    }

    /// <summary>A duration (<c>30s</c>, <c>15m</c>, <c>1h30m</c>, <c>7d</c>; at most 36500d), checked at parse time.</summary>
    public static Option<T> AcceptDuration<T>(this Option<T> o)
    {
        o.Validators.Add(r => Check(r, t => DurationParser.TryParse(t, out _), DurationParser.Expected));
        return o;
    }

    /// <summary>A path: not empty, no control characters (newlines, escapes) in it.</summary>
    public static Argument<T> AcceptPath<T>(this Argument<T> a)
    {
        a.Validators.Add(r => Check(r, IsPlainPath, "expected a non-empty path without control characters"));
        return a;
    }

    /// <inheritdoc cref="AcceptPath{T}(Argument{T})"/>
    public static Option<T> AcceptPath<T>(this Option<T> o)
    {
        o.Validators.Add(r => Check(r, IsPlainPath, "expected a non-empty path without control characters"));
        return o;
    }

    /// <summary>A unix socket path: absolute, at most 107 bytes, no control characters.</summary>
    public static Option<T> AcceptSocketPath<T>(this Option<T> o)
    {
        o.Validators.Add(r => Check(r, IsSocketPath, $"expected an absolute path of at most {MaxSocketPath} bytes (a unix socket)"));
        return o;
    }

    /// <summary>One of <paramref name="choices"/>; the error lists them on the same line. Also feeds completion.</summary>
    public static Option<T> AcceptOneOf<T>(this Option<T> o, params string[] choices)
    {
        o.Validators.Add(r => Check(r, t => choices.Contains(t, StringComparer.Ordinal), "expected one of " + string.Join(", ", choices)));
        o.CompletionSources.Add(choices);
        o.HelpName ??= string.Join('|', choices);
        return o;
    }

    /// <inheritdoc cref="AcceptOneOf{T}(Option{T}, string[])"/>
    public static Argument<T> AcceptOneOf<T>(this Argument<T> a, params string[] choices)
    {
        a.Validators.Add(r => Check(r, t => choices.Contains(t, StringComparer.Ordinal), "expected one of " + string.Join(", ", choices)));
        a.CompletionSources.Add(choices);
        a.HelpName ??= string.Join('|', choices);
        return a;
    }

    /// <summary>
    /// A value checked by <paramref name="valid"/>, an engine's own rule that throws exit 2 (a pipeline or container
    /// name rule). The error names the option and shows a long value shortened.
    /// </summary>
    public static Option<T> Accept<T>(this Option<T> o, Action<string> valid)
    {
        o.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
            {
                try { valid(t.Value); }
                catch (VoltException e) when (e.Code == ExitCode.Usage)
                {
                    var message = t.Value.Length > 100 ? e.Message.Replace($"\"{t.Value}\"", Quote(t.Value), StringComparison.Ordinal) : e.Message;
                    r.AddError(message.Contains(Name(r), StringComparison.Ordinal) ? message : $"{Name(r)}: {message}");
                    return;
                }
            }
        });
        return o;
    }

    public static bool TryParsePort(string text, bool allowZero, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535 && (port > 0 || allowZero);

    /// <summary>A finite decimal number in invariant culture: <c>2</c>, <c>0.5</c>, <c>-1</c>; never NaN or ∞.</summary>
    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    public static bool IsPlainPath(string text) => text.Length > 0 && !text.Any(IsControl);

    public static bool IsSocketPath(string text) =>
        IsPlainPath(text) && Path.IsPathRooted(text) && System.Text.Encoding.UTF8.GetByteCount(text) <= MaxSocketPath;

    /// <summary>A value as error messages show it: quoted, at most 100 characters (the rest counted, not shown).</summary>
    public static string Quote(string value) =>
        value.Length <= 100 ? $"\"{value}\"" : $"\"{value[..100]}…\" ({value.Length} characters)";

    /// <summary>
    /// One line, safe for a terminal: control characters (newline, tab, ESC, NUL, DEL, C1, line/paragraph separators)
    /// become escapes (<c>\n</c>, <c>\t</c>, <c>\x1b</c>). The error handler applies it to every message it prints.
    /// </summary>
    public static string Escape(string text)
    {
        if (!text.Any(IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (IsControl(c)) sb.Append(c <= 0xff ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static int? Port(ArgumentResult r, bool allowZero)
    {
        var text = Text(r);
        if (TryParsePort(text, allowZero, out var port)) return port;
        r.AddError($"invalid {Name(r)} {Quote(text)}: expected a port from {(allowZero ? "0 (any free port)" : "1")} to 65535");
        return null;
    }

    private static int? Int(ArgumentResult r, int min, int max)
    {
        var text = Text(r);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max) return v;
        r.AddError($"invalid {Name(r)} {Quote(text)}: expected a whole number from {min}{(max == int.MaxValue ? " up" : $" to {max}")}");
        return null;
    }

    private static void Check(SymbolResult r, Func<string, bool> valid, string expected)
    {
        foreach (var t in r.Tokens)
        {
            if (valid(t.Value)) continue;
            r.AddError($"invalid {Name(r)} {Quote(t.Value)}: {expected}");
            return;
        }
    }

    private static string Text(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    /// <summary>The option's name (<c>--port</c>) or the argument's (<c>DIR</c>), for the message.</summary>
    private static string Name(SymbolResult r) => r switch
    {
        OptionResult o => o.Option.Name,
        ArgumentResult { Parent: OptionResult o } => o.Option.Name,
        ArgumentResult a => a.Argument.Name,
        _ => "value",
    };

    private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
