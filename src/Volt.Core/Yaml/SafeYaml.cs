using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Volt.Core.Yaml;

/// <summary>A YAML text that could not be read, with the 1-based line and column where reading stopped.</summary>
public sealed class YamlSyntaxException(long line, long column, string reason, Exception? inner = null)
    : Exception($"line {line}, column {column}: {reason}", inner)
{
    public long Line { get; } = line;
    public long Column { get; } = column;
    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// The one safe way to load YAML text into YamlDotNet's representation model (AOT-safe: no reflection). Every
/// failure is a <see cref="YamlSyntaxException"/> with line and column: YamlDotNet's <see cref="YamlException"/>,
/// the <see cref="InvalidOperationException"/> it throws for some broken flow collections (<c>a: [b</c>),
/// control characters YAML forbids (NUL, ESC, DEL …), nesting deeper than <see cref="MaxDepth"/>, and an alias inside
/// the collection its anchor names (<c>&amp;a [*a]</c>: a node that contains itself, which the library's hashing and
/// every walk of the tree would follow until the stack overflows).
/// </summary>
public static class SafeYaml
{
    /// <summary>Deepest nesting of mappings and sequences accepted.</summary>
    public const int MaxDepth = 64;

    /// <param name="maxDepth">Deepest nesting accepted (<see cref="MaxDepth"/> unless a format bounds it tighter).</param>
    public static YamlStream Load(string text, int maxDepth = MaxDepth)
    {
        CheckCharacters(text);
        var parser = new DepthLimitedParser(new Parser(new StringReader(text)), maxDepth);
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlSyntaxException) { throw; }
        catch (YamlException e)
        {
            var (line, column) = Inside(text, e.Start.Line, e.Start.Column);
            throw new YamlSyntaxException(line, column, Reason(e), e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            var at = parser.Current?.Start ?? parser.LastEnd;
            var (line, column) = Inside(text, at.Line, at.Column);
            throw new YamlSyntaxException(line, column,
                e is ArgumentException ? "duplicate key" : "malformed YAML (an unclosed [ or {, or a stray indicator?)", e);
        }
        return stream;
    }

    /// <summary>A position past the end of the text (YamlDotNet's end-of-stream mark) becomes the text's last character.</summary>
    private static (long Line, long Column) Inside(string text, long line, long column)
    {
        var lines = text.Split('\n');
        if (line < 1) return (1, 1);
        if (line <= lines.Length) return (line, Math.Max(1, column));
        return (lines.Length, lines[^1].Length + 1);
    }

    /// <summary>YAML 1.2 allows tab, LF, CR and printable characters only; report the first other one by position.</summary>
    private static void CheckCharacters(string text)
    {
        long line = 1, column = 1;
        foreach (var c in text)
        {
            if (c == '\n') { line++; column = 1; continue; }
            if (c is not ('\t' or '\r') && (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f && c != 0x85) || c is '\uFFFE' or '\uFFFF'))
                throw new YamlSyntaxException(line, column, $"control character U+{(int)c:X4} is not allowed in YAML");
            column++;
        }
    }

    private static string Reason(YamlException e)
    {
        var m = e.InnerException is YamlException inner ? inner.Message : e.Message;
        // YamlDotNet prefixes "(Line: 1, Col: 9, Idx: 8) - (Line: …): "; the position is reported separately.
        var cut = m.LastIndexOf("): ", StringComparison.Ordinal);
        return m.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0 ? m[(cut + 3)..] : m;
    }

    /// <summary>
    /// Counts open mappings and sequences and stops the load past <paramref name="maxDepth"/>, or at an alias to an
    /// anchor whose collection is still open.
    /// </summary>
    private sealed class DepthLimitedParser(IParser inner, int maxDepth) : IParser
    {
        private int _depth;
        private readonly Stack<string?> _openAnchors = new();
        public Mark LastEnd { get; private set; } = Mark.Empty;
        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            var e = inner.Current!;
            LastEnd = e.End;
            if (e is MappingStart or SequenceStart)
            {
                if (++_depth > maxDepth) throw new YamlSyntaxException(e.Start.Line, e.Start.Column, $"nested deeper than {maxDepth} levels");
                var anchor = ((NodeEvent)e).Anchor;
                _openAnchors.Push(anchor.IsEmpty ? null : anchor.Value);
            }
            if (e is MappingEnd or SequenceEnd)
            {
                _depth--;
                if (_openAnchors.Count > 0) _openAnchors.Pop();
            }
            if (e is AnchorAlias alias && _openAnchors.Contains(alias.Value.Value))
                throw new YamlSyntaxException(e.Start.Line, e.Start.Column,
                    $"alias *{alias.Value.Value} is inside the collection &{alias.Value.Value} names: a node cannot contain itself");
            return true;
        }
    }
}
