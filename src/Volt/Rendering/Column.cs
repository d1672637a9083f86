using System.Text.Json.Nodes;

namespace Volt.Rendering;

/// <summary>A table column: its header, the JSON key it shows, and how to turn the value into text.</summary>
public sealed record Column(string Header, string Key, Func<JsonNode?, string>? Format = null, bool RightAlign = false)
{
    public string Text(JsonObject row) => Format is null ? Human.Plain(row[Key]) : Format(row[Key]);
}
