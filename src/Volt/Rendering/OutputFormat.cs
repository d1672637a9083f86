namespace Volt.Rendering;

public enum OutputFormat { Table, Json, Yaml }

public static class OutputFormats
{
    public static readonly string[] Names = ["table", "json", "yaml"];

    public static bool TryParse(string? s, out OutputFormat format)
    {
        format = OutputFormat.Table;
        switch (s?.Trim().ToLowerInvariant())
        {
            case "table": return true;
            case "json": format = OutputFormat.Json; return true;
            case "yaml" or "yml": format = OutputFormat.Yaml; return true;
            default: return false;
        }
    }
}
