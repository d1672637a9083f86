namespace Volt.Units;

/// <summary>Reads typed values out of one section, turning every <see cref="FormatException"/> into a located <see cref="UnitFileException"/>.</summary>
internal sealed class UnitReader(UnitFile unit, string section)
{
    public UnitFile Unit => unit;

    public T? One<T>(string key, Func<string, T> parse)
    {
        var d = unit.Last(section, key);
        return d is null || d.Value.Length == 0 ? default : Convert(d, parse);
    }

    /// <summary>Single-valued directive that may only appear once (a second assignment would be a second trigger in systemd).</summary>
    public T? Once<T>(string key, Func<string, T> parse)
    {
        var all = unit.All(section, key).ToList();
        if (all.Count > 1) throw UnitFileException.At(unit.Path, all[1], $"{key}= given more than once (voltd implements one {key}=)");
        return all.Count == 0 ? default : Convert(all[0], parse);
    }

    /// <summary>A list directive: each assignment appends, an empty assignment clears what came before.</summary>
    public List<T> List<T>(string key, Func<string, IEnumerable<T>> parse)
    {
        var result = new List<T>();
        foreach (var d in unit.All(section, key))
        {
            if (d.Value.Length == 0) { result.Clear(); continue; }
            result.AddRange(Convert(d, v => parse(v).ToList()));
        }
        return result;
    }

    /// <summary>Space-separated unit names (<c>After=a.service b.target</c>).</summary>
    public List<string> Names(string key) => List(key, v => UnitWords.Split(UnitSpecifiers.Expand(v)).Select(CheckUnitName));

    /// <summary>A time span with a default when absent; null for <c>infinity</c>.</summary>
    public TimeSpan? Span(string key, TimeSpan? absent)
    {
        var d = unit.Last(section, key);
        return d is null || d.Value.Length == 0 ? absent : Convert(d, UnitTimeSpan.Parse);
    }

    public string? Text(string key) => One(key, UnitSpecifiers.Expand);

    public T Convert<T>(UnitDirective d, Func<string, T> parse)
    {
        try { return parse(d.Value); }
        catch (FormatException e) { throw UnitFileException.At(unit.Path, d, $"{d.Key}={Short(d.Value)}: {e.Message}"); }
        catch (OverflowException e) { throw UnitFileException.At(unit.Path, d, $"{d.Key}={Short(d.Value)}: {e.Message}"); }
    }

    public UnitFileException Error(UnitDirective d, string what) => UnitFileException.At(unit.Path, d, what);

    public static string AbsolutePath(string v)
    {
        var p = UnitSpecifiers.Expand(v);
        if (!p.StartsWith('/')) throw new FormatException($"\"{p}\" is not an absolute path");
        return p;
    }

    private static string CheckUnitName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || !name.Contains('.') || name.Any(char.IsControl))
            throw new FormatException($"\"{name}\" is not a unit name");
        return name;
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
