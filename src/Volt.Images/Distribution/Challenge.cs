namespace Volt.Images.Distribution;

/// <summary>A parsed <c>WWW-Authenticate</c> challenge: <c>Bearer realm="…",service="…",scope="…"</c> or <c>Basic realm="…"</c>.</summary>
internal sealed record Challenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string key] => Parameters.GetValueOrDefault(key);

    public static Challenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        header = header.Trim();
        var space = header.IndexOf(' ');
        var scheme = space < 0 ? header : header[..space];
        var rest = space < 0 ? "" : header[(space + 1)..];
        var p = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < rest.Length)
        {
            while (i < rest.Length && rest[i] is ' ' or ',') i++;
            var eq = rest.IndexOf('=', i);
            if (eq < 0) break;
            var key = rest[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < rest.Length && rest[i] == '"')
            {
                var end = rest.IndexOf('"', i + 1);
                if (end < 0) end = rest.Length;
                value = rest[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = rest.IndexOf(',', i);
                if (end < 0) end = rest.Length;
                value = rest[i..end].Trim();
                i = end;
            }
            p[key] = value;
        }
        return new Challenge(scheme, p);
    }
}
