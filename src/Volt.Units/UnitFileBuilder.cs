namespace Volt.Units;

/// <summary>
/// The one writer of unit files: sections and directives in order, values escaped by the caller through
/// <see cref="UnitQuoting"/>. <see cref="Build"/> renders and parses back, so nothing unsupported or malformed leaves it.
/// </summary>
public sealed class UnitFileBuilder
{
    private readonly string _path;
    private readonly List<UnitComment> _preamble = [];
    private readonly List<(string Name, List<UnitEntry> Entries)> _sections = [];

    /// <param name="path">The unit's path or file name (<c>web.service</c>): its suffix decides the allowed sections.</param>
    public UnitFileBuilder(string path) => _path = path;

    /// <summary>A <c># comment</c> line: before the first section, or at the end of the current one.</summary>
    public UnitFileBuilder Comment(string text)
    {
        if (text.Contains('\n')) throw new ArgumentException("a comment is one line", nameof(text));
        var c = new UnitComment("# " + text, 0);
        if (_sections.Count == 0) _preamble.Add(c); else _sections[^1].Entries.Add(c);
        return this;
    }

    /// <summary>Starts <c>[name]</c>; later <see cref="Add"/> calls go into it.</summary>
    public UnitFileBuilder Section(string name)
    {
        _sections.Add((name, []));
        return this;
    }

    /// <summary><c>key=value</c> with <paramref name="value"/> written verbatim (already escaped for its directive).</summary>
    public UnitFileBuilder Add(string key, string value)
    {
        if (_sections.Count == 0) throw new InvalidOperationException($"{key}= before any Section()");
        if (value.Contains('\n') || value.Contains('\r')) throw new ArgumentException($"{key}= value spans lines", nameof(value));
        if (value != value.Trim(' ', '\t')) throw new ArgumentException($"{key}= value has outer whitespace systemd would strip", nameof(value));
        _sections[^1].Entries.Add(new UnitDirective(key, value));
        return this;
    }

    /// <summary>Adds <c>key=value</c> only when <paramref name="value"/> is not null.</summary>
    public UnitFileBuilder AddIf(string key, string? value) => value is null ? this : Add(key, value);

    /// <summary>A command line (<c>ExecStart=</c> …) quoted for systemd, optionally with the <c>-</c> prefix.</summary>
    public UnitFileBuilder AddCommand(string key, IEnumerable<string> argv, bool ignoreFailure = false) =>
        Add(key, (ignoreFailure ? "-" : "") + UnitQuoting.CommandLine(argv));

    /// <summary>Renders and parses back: the result is exactly what <see cref="UnitFile.Parse"/> makes of the text.</summary>
    public UnitFile Build() => UnitFile.Parse(Render(), _path);

    public string Render() =>
        new UnitFile(_path, _preamble, [.. _sections.Select(s => new UnitSection(s.Name, 0, s.Entries))]).Render();
}
