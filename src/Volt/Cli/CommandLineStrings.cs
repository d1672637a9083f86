using System.CommandLine;
using System.Globalization;
using System.Resources;
using System.Runtime.CompilerServices;

namespace Volt.Cli;

/// <summary>
/// System.CommandLine's strings without its <see cref="ResourceManager"/> on every start: <see cref="RootCommand"/>'s
/// constructor reads the <c>--help</c> and <c>--version</c> descriptions, and the library's manager is built from
/// <c>typeof(Resources).Assembly</c>, which under Native AOT starts the reflection runtime's assembly binder (6 % of a
/// <c>volt service start</c>'s CPU). Set here first, into the library's own field, is a manager that answers the
/// strings every start reads and hands anything else (parse errors, help headings) to the library's own manager, made
/// on first use. A library whose field is gone or renamed keeps its own manager (CommandLineStringsTests checks the
/// field is the one the library reads and that each preset string is the library's).
/// </summary>
internal sealed class CommandLineStrings : ResourceManager
{
    private const string ResourcesType = "System.CommandLine.Properties.Resources, System.CommandLine";

    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "s_resourceManager")]
    private static extern ref ResourceManager? Field([UnsafeAccessorType(ResourcesType)] object? resources);

    /// <summary>The strings <c>RootCommand</c> reads on every start, as the library's English resources say them.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Preset = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["HelpOptionDescription"] = "Show help and usage information",
        ["VersionOptionDescription"] = "Show version information",
    };

    private readonly Lazy<ResourceManager> _library = new(() => new ResourceManager("System.CommandLine.Properties.Resources", typeof(RootCommand).Assembly));

    private CommandLineStrings() { }

    /// <summary>What the library's field holds now (null before its first string).</summary>
    internal static ResourceManager? Current
    {
        get
        {
            try { return Field(null); }
            catch (Exception e) when (e is MissingFieldException or TypeLoadException) { return null; }
        }
    }

    /// <summary>The library's own manager (what the preset hands other strings to; tests compare against it).</summary>
    internal ResourceManager Library => _library.Value;

    /// <summary>For the binary only; before the first <see cref="RootCommand"/>.</summary>
    public static void Install()
    {
        try
        {
            ref var field = ref Field(null);
            field ??= new CommandLineStrings();
        }
        catch (Exception e) when (e is MissingFieldException or TypeLoadException) { /* the library's own manager */ }
    }

    /// <summary>A manager made here, for tests (the library's field is left alone).</summary>
    internal static CommandLineStrings ForTests() => new();

    public override string? GetString(string name) => GetString(name, null);

    public override string? GetString(string name, CultureInfo? culture) =>
        (culture is null || culture.TwoLetterISOLanguageName is "en" or "iv") && Preset.TryGetValue(name, out var s) ? s : Library.GetString(name, culture);

    public override object? GetObject(string name, CultureInfo? culture) => Library.GetObject(name, culture);

    public override ResourceSet? GetResourceSet(CultureInfo culture, bool createIfNotExists, bool tryParents) =>
        Library.GetResourceSet(culture, createIfNotExists, tryParents);
}
