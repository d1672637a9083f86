using System.Text;

namespace Volt.Vms.Kernels;

/// <summary>
/// Kernel modules of a kernel package (<c>lib/modules/VERSION/kernel/**.ko</c>): found by name (<c>-</c> and
/// <c>_</c> alike, as modprobe), with their <c>depends=</c> from the module's own <c>.modinfo</c> (no depmod
/// needed), in load order: dependencies first.
/// </summary>
public sealed class ModuleSet
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);

    public ModuleSet(string modulesDir)
    {
        if (!Directory.Exists(modulesDir)) return;
        foreach (var f in Directory.EnumerateFiles(modulesDir, "*.ko", SearchOption.AllDirectories))
            _files.TryAdd(Key(Path.GetFileNameWithoutExtension(f)), f);
    }

    public int Count => _files.Count;

    public static string Key(string name) => name.Replace('-', '_');

    public string? File(string name) => _files.GetValueOrDefault(Key(name));

    /// <summary>The wanted modules that exist (built-in ones are simply absent) and their dependencies, dependencies first.</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> wanted)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name, int depth)
        {
            var key = Key(name);
            if (depth > 32 || !_files.ContainsKey(key) || !seen.Add(key)) return;
            foreach (var d in Depends(_files[key])) Visit(d, depth + 1);
            order.Add(key);
        }
        foreach (var w in wanted) Visit(w, 0);
        return order;
    }

    /// <summary>The <c>depends=a,b</c> string of a module's <c>.modinfo</c> section.</summary>
    public static IReadOnlyList<string> Depends(string koFile)
    {
        var data = System.IO.File.ReadAllBytes(koFile);
        var tag = "depends="u8;
        var span = data.AsSpan();
        for (var i = span.IndexOf(tag); i >= 0;)
        {
            // A modinfo entry starts after a NUL; "depends=" inside another string is not it.
            if (i == 0 || span[i - 1] == 0)
            {
                var rest = span[(i + tag.Length)..];
                var end = rest.IndexOf((byte)0);
                var value = Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
                return [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            }
            var next = span[(i + 1)..].IndexOf(tag);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return [];
    }
}
