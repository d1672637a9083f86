namespace Volt.Units;

/// <summary>
/// Specifiers (systemd.unit(5) "Specifiers"): Volt writes none but <c>%%</c>, so voltd expands only that and refuses the
/// rest rather than guess what <c>%n</c> or <c>%i</c> would mean.
/// </summary>
internal static class UnitSpecifiers
{
    public static string Expand(string value)
    {
        if (!value.Contains('%')) return value;
        var sb = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%') { sb.Append(value[i]); continue; }
            if (i + 1 < value.Length && value[i + 1] == '%') { sb.Append('%'); i++; continue; }
            throw new FormatException(i + 1 < value.Length
                ? $"unsupported specifier %{value[i + 1]} (voltd implements: %% for a literal %)"
                : "lone % at the end (write %% for a literal %)");
        }
        return sb.ToString();
    }
}
