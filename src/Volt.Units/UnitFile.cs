using System.Text;
using Volt.Core.Errors;

namespace Volt.Units;

/// <summary>One line of a unit file that is kept: a directive or a comment.</summary>
public abstract record UnitEntry(int Line);

/// <summary><c>Key=Value</c>: the value as systemd reads it (continuations joined, outer whitespace stripped, nothing unescaped).</summary>
public sealed record UnitDirective(string Key, string Value, int Line, int Column, int ValueColumn) : UnitEntry(Line)
{
    public UnitDirective(string key, string value) : this(key, value, 0, 0, 0) { }
}

/// <summary>A comment line, kept verbatim with its <c>#</c> or <c>;</c>.</summary>
public sealed record UnitComment(string Text, int Line) : UnitEntry(Line);

/// <summary>A <c>[Section]</c> and its entries in file order.</summary>
public sealed record UnitSection(string Name, int Line, IReadOnlyList<UnitEntry> Entries)
{
    public IEnumerable<UnitDirective> Directives => Entries.OfType<UnitDirective>();
}

/// <summary>
/// A systemd unit file in the subset Volt writes and voltd runs: sections in order, directives with their line and
/// column, comments kept. <see cref="Parse"/> rejects every directive Volt does not implement; <see cref="Render"/>
/// writes what <see cref="Parse"/> reads back unchanged.
/// </summary>
public sealed class UnitFile
{
    internal UnitFile(string path, IReadOnlyList<UnitComment> preamble, IReadOnlyList<UnitSection> sections)
    {
        Path = path;
        Preamble = preamble;
        Sections = sections;
    }

    /// <summary>Where the text came from (used in every error message).</summary>
    public string Path { get; }

    /// <summary>The unit's name: the file name of <see cref="Path"/> (<c>web.service</c>).</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Comments before the first section.</summary>
    public IReadOnlyList<UnitComment> Preamble { get; }

    public IReadOnlyList<UnitSection> Sections { get; }

    /// <summary>Parses unit text; throws <see cref="UnitFileException"/> (<c>FILE:LINE:COLUMN: …</c>) on any error.</summary>
    public static UnitFile Parse(string text, string path) => UnitFileParser.Parse(text, path);

    /// <summary>Reads and parses a unit file (strict UTF-8).</summary>
    public static UnitFile Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed reading unit {path}", e); }
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new UnitFileException(path, 1, 1, "not valid UTF-8"); }
        return Parse(text, path);
    }

    /// <summary>Every directive named <paramref name="key"/> in every <c>[section]</c>, in file order.</summary>
    public IEnumerable<UnitDirective> All(string section, string key) =>
        Sections.Where(s => s.Name == section).SelectMany(s => s.Directives).Where(d => d.Key == key);

    /// <summary>The last assignment of <paramref name="key"/> (systemd's rule for single-valued directives), or null.</summary>
    public UnitDirective? Last(string section, string key) => All(section, key).LastOrDefault();

    public bool HasSection(string section) => Sections.Any(s => s.Name == section);

    /// <summary>The text: preamble comments, then each section with a blank line between sections.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        foreach (var c in Preamble) sb.Append(c.Text).Append('\n');
        for (var i = 0; i < Sections.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            sb.Append('[').Append(Sections[i].Name).Append("]\n");
            foreach (var e in Sections[i].Entries)
            {
                switch (e)
                {
                    case UnitDirective d: sb.Append(d.Key).Append('=').Append(d.Value).Append('\n'); break;
                    case UnitComment c: sb.Append(c.Text).Append('\n'); break;
                }
            }
        }
        return sb.ToString();
    }

    public override string ToString() => Render();
}
