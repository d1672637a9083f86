using System.Text.Json.Nodes;

namespace Volt.Rendering;

/// <summary>A table column: its header, the JSON key it shows, and how to turn the value into text.</summary>
public sealed record Column(string Header, string Key, Func<JsonNode?, string>? Format = null, bool RightAlign = false)
{
    /// <summary>Text from the whole row, for a column that combines fields (<c>running (healthy)</c>).</summary>
    public Func<JsonObject, string>? RowFormat { get; init; }

    public string Text(JsonObject row) => RowFormat is not null ? RowFormat(row) : Format is null ? Human.Plain(row[Key]) : Format(row[Key]);
}
