namespace Volt.Images.Build;

/// <summary>
/// The Debian mirror this host's apt uses, read from <c>/etc/apt/sources.list</c> (one-line format) and
/// <c>/etc/apt/sources.list.d/*.list|*.sources</c> (deb822): the first <c>deb</c> URI that is not a security or
/// updates-only archive. <c>volt image create --from debian:…</c> uses it when no <c>--mirror</c> is given, because
/// it is the one this machine is known to reach.
/// </summary>
public static class AptSources
{
    public const string DebianDefault = "http://deb.debian.org/debian";
    public const string UbuntuDefault = "http://archive.ubuntu.com/ubuntu";

    /// <summary>The host's Debian mirror under <paramref name="etcApt"/> (default <c>/etc/apt</c>), or null.</summary>
    public static string? HostDebianMirror(string etcApt = "/etc/apt")
    {
        var files = new List<string>();
        var list = Path.Combine(etcApt, "sources.list");
        if (File.Exists(list)) files.Add(list);
        var dir = Path.Combine(etcApt, "sources.list.d");
        if (Directory.Exists(dir))
            files.AddRange(Directory.GetFiles(dir).Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        foreach (var f in files)
        {
            string text;
            try { text = File.ReadAllText(f); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var found = f.EndsWith(".sources", StringComparison.Ordinal) ? FromDeb822(text) : FromOneLine(text);
            if (found is not null) return found;
        }
        return null;
    }

    internal static string? FromOneLine(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', 2)[0].Trim();
            if (!line.StartsWith("deb ", StringComparison.Ordinal)) continue;
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            if (words.Count > 0 && words[0].StartsWith('[')) words = words.SkipWhile(w => !w.EndsWith(']')).Skip(1).ToList();
            if (words.Count >= 2 && IsMainDebian(words[0], words[1])) return words[0].TrimEnd('/');
        }
        return null;
    }

    internal static string? FromDeb822(string text)
    {
        foreach (var stanza in text.Replace("\r", "").Split("\n\n"))
        {
            string? types = null, uris = null, suites = null, enabled = null;
            foreach (var raw in stanza.Split('\n'))
            {
                if (raw.StartsWith('#') || !raw.Contains(':')) continue;
                var kv = raw.Split(':', 2);
                var value = kv[1].Trim();
                switch (kv[0].Trim().ToLowerInvariant())
                {
                    case "types": types = value; break;
                    case "uris": uris = value; break;
                    case "suites": suites = value; break;
                    case "enabled": enabled = value; break;
                }
            }
            if (types is null || uris is null || suites is null || enabled is "no") continue;
            if (!types.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("deb")) continue;
            var uri = uris.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            if (IsMainDebian(uri, suites.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])) return uri.TrimEnd('/');
        }
        return null;
    }

    private static bool IsMainDebian(string uri, string suite) =>
        (uri.StartsWith("http://", StringComparison.Ordinal) || uri.StartsWith("https://", StringComparison.Ordinal))
        && !uri.Contains("security", StringComparison.OrdinalIgnoreCase) && !suite.Contains('-') && !suite.Contains('/')
        && uri.TrimEnd('/').EndsWith("/debian", StringComparison.Ordinal);
}
