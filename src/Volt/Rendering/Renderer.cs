using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Volt.Rendering;

/// <summary>
/// The one renderer: rows and objects in, <c>table</c> (aligned plain columns, like podman/incus) or
/// <c>json</c>/<c>yaml</c> out. Tables never wrap or truncate so they stay greppable when piped.
/// </summary>
public sealed class Renderer(IVoltConsole console, OutputFormat format, Palette palette)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public OutputFormat Format => format;
    public Palette Palette => palette;

    /// <summary>A list: a table of <paramref name="columns"/>, or the rows as a JSON/YAML array.</summary>
    public void List(IReadOnlyList<JsonObject> rows, IReadOnlyList<Column> columns)
    {
        if (format != OutputFormat.Table) { Data(new JsonArray([.. rows.Select(r => (JsonNode)r.DeepClone())])); return; }
        var cells = rows.Select(r => columns.Select(c => c.Text(r)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Header.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        AppendRow(sb, [.. columns.Select(c => c.Header)], widths, columns, header: true);
        foreach (var row in cells) AppendRow(sb, row, widths, columns, header: false);
        console.Out.Write(sb.ToString());
    }

    /// <summary>One object: <c>Key: value</c> lines (nested objects indented), or JSON/YAML.</summary>
    public void Object(JsonObject obj)
    {
        if (format != OutputFormat.Table) { Data(obj); return; }
        var sb = new StringBuilder();
        AppendObject(sb, obj, 0);
        console.Out.Write(sb.ToString());
    }

    /// <summary>Machine output of any node in the selected format (table falls back to JSON).</summary>
    public void Data(JsonNode node)
    {
        if (format == OutputFormat.Yaml) { console.Out.Write(YamlWriter.Write(node)); return; }
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonOptions)) node.WriteTo(w);
        console.Out.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    /// <summary>A human line on stdout; suppressed in json/yaml mode so machine output stays parseable.</summary>
    public void Line(string text)
    {
        if (format == OutputFormat.Table) console.Out.WriteLine(text);
    }

    public void Warn(string text) => console.Error.WriteLine(palette.Warning("Warning: ") + text);

    private void AppendRow(StringBuilder sb, string[] row, int[] widths, IReadOnlyList<Column> columns, bool header)
    {
        var line = new StringBuilder();
        for (var i = 0; i < row.Length; i++)
        {
            var last = i == row.Length - 1;
            var cell = columns[i].RightAlign ? row[i].PadLeft(widths[i]) : last ? row[i] : row[i].PadRight(widths[i]);
            line.Append(cell);
            if (!last) line.Append("  ");
        }
        var text = line.ToString().TrimEnd();
        sb.Append(header ? palette.Header(text) : text).Append('\n');
    }

    private static void AppendObject(StringBuilder sb, JsonObject obj, int indent)
    {
        var width = obj.Count == 0 ? 0 : obj.Max(p => Label(p.Key).Length) + 1;
        foreach (var (key, value) in obj)
        {
            sb.Append(' ', indent).Append((Label(key) + ":").PadRight(width + 1));
            switch (value)
            {
                case JsonObject child:
                    sb.Append('\n');
                    AppendObject(sb, child, indent + 2);
                    break;
                case JsonArray arr when arr.Count > 0 && arr.All(x => x is JsonObject):
                    sb.Append('\n');
                    AppendNestedTable(sb, [.. arr.Cast<JsonObject>()], indent + 2);
                    break;
                case JsonArray { Count: 0 }:
                    sb.Append("none\n");
                    break;
                default:
                    sb.Append(Human.Plain(value)).Append('\n');
                    break;
            }
        }
    }

    /// <summary>A list inside an object: an indented table whose columns are the union of the rows' keys.</summary>
    private static void AppendNestedTable(StringBuilder sb, List<JsonObject> rows, int indent)
    {
        var keys = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        var cells = rows.Select(r => keys.Select(k => Human.Plain(r[k])).ToArray()).ToList();
        var headers = keys.Select(k => k.Replace('_', ' ').ToUpperInvariant()).ToArray();
        var widths = keys.Select((_, i) => Math.Max(headers[i].Length, cells.Max(c => c[i].Length))).ToArray();
        foreach (var row in cells.Prepend(headers))
        {
            sb.Append(' ', indent);
            for (var i = 0; i < row.Length; i++) sb.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            sb.Append('\n');
        }
    }

    /// <summary><c>logical_bytes</c> → <c>Logical bytes</c>.</summary>
    private static string Label(string key)
    {
        var s = key.Replace('_', ' ');
        return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
    }
}
