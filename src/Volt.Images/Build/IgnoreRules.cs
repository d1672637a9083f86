using System.Text;
using System.Text.RegularExpressions;

namespace Volt.Images.Build;

/// <summary>
/// <c>.containerignore</c> / <c>.dockerignore</c> (the first that exists, as podman reads them): one pattern per
/// line, <c>#</c> comments, <c>!</c> re-includes, <c>*</c> <c>?</c> <c>[…]</c> within a segment, <c>**</c> across
/// segments; a pattern that matches a directory excludes everything under it; the last matching pattern wins.
/// </summary>
public sealed class IgnoreRules
{
    private readonly List<(Regex Re, bool Exclude, string Text)> _rules = [];

    public static readonly IgnoreRules None = new([]);

    public IgnoreRules(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var exclude = true;
            if (line.StartsWith('!')) { exclude = false; line = line[1..].Trim(); }
            line = Clean(line);
            if (line.Length == 0) continue;
            _rules.Add((new Regex("^" + ToRegex(line) + "$", RegexOptions.CultureInvariant), exclude, line));
        }
    }

    public int Count => _rules.Count;

    public static IgnoreRules Load(string contextDir)
    {
        foreach (var name in new[] { ".containerignore", ".dockerignore" })
        {
            var p = Path.Combine(contextDir, name);
            if (File.Exists(p)) return new IgnoreRules(File.ReadAllLines(p));
        }
        return None;
    }

    /// <summary>Whether <paramref name="path"/> (relative, '/'-separated) is left out of the context.</summary>
    public bool Ignored(string path)
    {
        if (_rules.Count == 0) return false;
        var ignored = false;
        foreach (var (re, exclude, _) in _rules)
        {
            if (Matches(re, path)) ignored = exclude;
        }
        return ignored;
    }

    private static bool Matches(Regex re, string path)
    {
        if (re.IsMatch(path)) return true;
        for (var i = path.IndexOf('/'); i > 0; i = path.IndexOf('/', i + 1))
            if (re.IsMatch(path[..i])) return true;
        return false;
    }

    private static string Clean(string p)
    {
        var parts = new List<string>();
        foreach (var seg in p.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        return string.Join('/', parts);
    }

    /// <summary>A glob as a regex body: <c>**</c> any depth, <c>*</c>/<c>?</c> within a segment, classes kept.</summary>
    internal static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*')
            {
                if (i + 1 < glob.Length && glob[i + 1] == '*')
                {
                    i++;
                    if (i + 1 < glob.Length && glob[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                    else sb.Append(".*");
                }
                else sb.Append("[^/]*");
            }
            else if (c == '?') sb.Append("[^/]");
            else if (c == '[')
            {
                var end = glob.IndexOf(']', i + 1);
                if (end < 0) { sb.Append("\\["); continue; }
                var cls = glob[(i + 1)..end];
                if (cls.StartsWith('!') || cls.StartsWith('^')) cls = "^" + cls[1..];
                sb.Append('[').Append(cls.Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                i = end;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.ToString();
    }

    /// <summary>Whether a COPY source has glob characters.</summary>
    public static bool IsGlob(string s) => s.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>A COPY source glob as a regex over one path (no directory-prefix matching).</summary>
    public static Regex Glob(string glob) => new("^" + ToRegex(Clean(glob)) + "$", RegexOptions.CultureInvariant);
}
