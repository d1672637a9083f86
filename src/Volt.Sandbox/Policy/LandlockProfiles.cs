using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Sandbox.Policy;

/// <summary>
/// Named Landlock profiles: <c>default</c> (the image's own tree readable and executable, writable only where a
/// workload writes: <c>/tmp</c>, <c>/run</c>, <c>/var</c>, the harmless devices and its volumes), <c>strict</c> (the
/// system directories read-only, <c>/tmp</c> writable, no TCP at all) and <c>unconfined</c> (nothing). Shipped to
/// <c>/etc/volt/profiles/landlock/NAME.json</c> at first use; an edited file there wins over the built-in text.
/// </summary>
public static class LandlockProfiles
{
    public static readonly string[] Names = ["default", "strict", "unconfined"];

    /// <summary>A FILE when the value names one (a '/' or a .json suffix); otherwise a profile name.</summary>
    public static bool IsFile(string value) => value.Contains('/') || value.EndsWith(".json", StringComparison.Ordinal);

    public static string Dir(string etc) => Path.Combine(etc, "profiles", "landlock");

    /// <summary>Where profile <paramref name="name"/>'s editable copy is: <c>/etc/volt/profiles/landlock/NAME.json</c>.</summary>
    public static string PathOf(string etc, string name) => Path.Combine(Dir(etc), name + ".json");

    /// <summary>
    /// The policy <paramref name="value"/> names. A FILE's paths must exist (checked by <paramref name="exists"/>,
    /// all problems at once, exit 12); a profile's paths are optional (an image without <c>/var</c> still starts).
    /// </summary>
    public static LandlockPolicy Resolve(string value, string etc, Func<string, bool>? exists)
    {
        if (IsFile(value))
        {
            string text;
            try { text = File.ReadAllText(value); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { throw new VoltException(ExitCode.InvalidConfig, $"Landlock policy {value}: cannot read it: {e.Message}"); }
            return LandlockPolicy.Parse(text, value, exists);
        }
        var file = PathOf(etc, value);
        if (File.Exists(file)) return LandlockPolicy.Parse(File.ReadAllText(file), file) with { PathsOptional = true };
        var builtin = Builtin(value) ?? throw new VoltException(ExitCode.InvalidConfig,
            $"unknown Landlock profile \"{value}\" (profiles: {string.Join(", ", Names)}, or a policy FILE path)");
        Ship(etc);
        return LandlockPolicy.Parse(builtin, value) with { PathsOptional = true };
    }

    /// <summary>Writes the built-in profiles that are not in <c>/etc/volt/profiles/landlock/</c> yet (best effort).</summary>
    public static void Ship(string etc)
    {
        try
        {
            Directory.CreateDirectory(Dir(etc));
            foreach (var n in Names)
            {
                var file = Path.Combine(Dir(etc), n + ".json");
                if (!File.Exists(file)) AtomicFile.WriteAllText(file, Builtin(n)!);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* read-only /etc: the built-ins still apply */ }
    }

    public static string? Builtin(string name)
    {
        using var s = typeof(LandlockProfiles).Assembly.GetManifestResourceStream("profiles/" + name + ".json");
        if (s is null) return null;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
