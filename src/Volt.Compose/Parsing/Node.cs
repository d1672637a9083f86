using System.Globalization;
using Volt.Compose.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Volt.Compose.Parsing;

/// <summary>
/// A YAML node with the file it came from and its key path (<c>services.db.ports[0]</c>): every typed read either
/// succeeds or throws a <see cref="ComposeException"/> naming the file, line, column and path.
/// </summary>
internal readonly record struct Node(YamlNode Yaml, string File, string Path)
{
    public SourcePos Pos => new(File, Math.Max(1, Yaml.Start.Line), Math.Max(1, Yaml.Start.Column));

    public ComposeException Error(string message) => ComposeException.At(Pos, Path, message);

    /// <summary>A plain or quoted null (<c>~</c>, <c>null</c>, empty) that is not a quoted string.</summary>
    public bool IsNull => Yaml is YamlScalarNode s && s.Style is ScalarStyle.Plain or ScalarStyle.Any && s.Value is null or "" or "~" or "null" or "Null" or "NULL"
        && s.Tag.IsEmpty;

    public bool IsMap => Yaml is YamlMappingNode;
    public bool IsList => Yaml is YamlSequenceNode;
    public bool IsScalar => Yaml is YamlScalarNode;

    private string Kind => Yaml switch { YamlMappingNode => "a mapping", YamlSequenceNode => "a list", _ => "a single value" };

    /// <summary>The entries of a mapping (null: none); keys must be plain scalars and appear once.</summary>
    public IEnumerable<(string Key, Node Key_, Node Value)> Map(string what = "a mapping")
    {
        if (IsNull) yield break;
        if (Yaml is not YamlMappingNode map) throw Error($"must be {what}, not {Kind}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key }) throw new Node(k, File, Path).Error("keys must be plain names, not lists or mappings");
            var child = Child(key);
            if (!seen.Add(key)) throw new Node(k, File, child).Error($"key \"{key}\" appears twice");
            yield return (key, new Node(k, File, child), new Node(v, File, child));
        }
    }

    public IEnumerable<Node> List(string what = "a list")
    {
        if (IsNull) yield break;
        if (Yaml is not YamlSequenceNode seq) throw Error($"must be {what}, not {Kind}");
        var i = 0;
        foreach (var c in seq.Children) yield return new Node(c, File, $"{Path}[{i++}]");
    }

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public string String(string what = "a string")
    {
        if (Yaml is not YamlScalarNode s) throw Error($"must be {what}, not {Kind}");
        return s.Value ?? "";
    }

    public string? StringOrNull() => IsNull ? null : String();

    public int Int(int min = int.MinValue, int max = int.MaxValue)
    {
        var s = String("a number");
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw Error($"must be a whole number, not \"{s}\"");
        if (n < min || n > max) throw Error($"must be between {min} and {max}, not {n}");
        return n;
    }

    public double Double()
    {
        var s = String("a number");
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : throw Error($"must be a number, not \"{s}\"");
    }

    public bool Bool()
    {
        var s = String("true or false");
        return s switch
        {
            "true" or "True" or "TRUE" or "yes" or "on" => true,
            "false" or "False" or "FALSE" or "no" or "off" => false,
            _ => throw Error($"must be true or false, not \"{s}\""),
        };
    }

    /// <summary>A string, or a list of strings (each element a scalar).</summary>
    public List<string> StringList()
    {
        if (IsScalar && !IsNull) return [String()];
        return [.. List("a string or a list of strings").Select(n => n.String())];
    }

    /// <summary>A list of strings; a scalar is not accepted.</summary>
    public List<string> Strings() => [.. List("a list of strings").Select(n => n.String())];

    /// <summary>compose's duration: <c>1h2m3s</c>, <c>500ms</c>, <c>1.5s</c>, <c>10us</c>; a bare number is seconds.</summary>
    public TimeSpan Duration()
    {
        var s = String("a duration");
        return Durations.TryParse(s, out var d) ? d : throw Error($"must be a duration such as 10s, 1m30s or 500ms, not \"{s}\"");
    }

    /// <summary>Bytes: a number, or a number with b, k, m, g (kb, mb, gb) as compose writes sizes.</summary>
    public long Bytes() => Bytes(String("a size"));

    /// <summary><paramref name="text"/> as a size (<c>512m</c>, <c>1g</c>, bytes without a unit); errors at this node.</summary>
    public long Bytes(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        var unit = s[i..].TrimEnd('b');
        long mul = unit switch { "" => 1, "k" => 1L << 10, "m" => 1L << 20, "g" => 1L << 30, "t" => 1L << 40, _ => 0 };
        if (i == 0 || mul == 0 || !double.TryParse(s[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw Error($"must be a size such as 512m or 1g, not \"{s}\"");
        return (long)(n * mul);
    }

    /// <summary>A key that is not one of <paramref name="known"/>: the error names them.</summary>
    public static ComposeException Unknown(Node key, string name, IEnumerable<string> known) =>
        key.Error($"unknown key \"{name}\" (expected one of: {string.Join(", ", known)})");
}

/// <summary>Durations as compose-spec writes them: Volt's one syntax (<see cref="Core.Config.DurationParser"/>), and a bare
/// number of seconds as compose-go also takes.</summary>
internal static class Durations
{
    public static bool TryParse(string s, out TimeSpan value)
    {
        if (double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs >= 0 && secs <= Core.Config.DurationParser.Max.TotalSeconds)
        {
            value = TimeSpan.FromSeconds(secs);
            return true;
        }
        return Core.Config.DurationParser.TryParse(s, out value);
    }

    /// <summary>The canonical text: <c>1m30s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan t) => Core.Config.DurationParser.Format(t);
}
