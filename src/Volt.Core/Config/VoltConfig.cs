namespace Volt.Core.Config;

/// <summary>
/// <c>/etc/volt/config.yaml</c>, typed. Every key has a default, so a missing file means "all defaults". Core owns
/// <c>output</c> and <c>color</c>; every other key is a <see cref="ConfigSection"/> of the engine that reads it
/// (<see cref="Section{T}"/>). The YAML uses snake_case keys; see docs/config.md.
/// </summary>
public sealed class VoltConfig
{
    internal const string OutputKey = "output";
    internal const string ColorKey = "color";

    private readonly Dictionary<Type, ConfigSection> _sections = [];

    /// <summary>All defaults, no sections registered (<see cref="Section{T}"/> then gives each section's defaults).</summary>
    public VoltConfig() { }

    internal VoltConfig(IEnumerable<ConfigSection> sections)
    {
        List<ConfigSection> list = [.. sections];
        foreach (var s in list) _sections[s.GetType()] = s;
        Sections = list;
    }

    /// <summary>Default output format when neither <c>-o</c> nor <c>VOLT_OUTPUT</c> is given.</summary>
    public string Output { get; set; } = "table";
    public string Color { get; set; } = "auto";

    /// <summary>The registered sections, in registration order.</summary>
    public IReadOnlyList<ConfigSection> Sections { get; } = [];

    /// <summary>The section <typeparamref name="T"/> as loaded; its defaults when it was not registered.</summary>
    public T Section<T>() where T : ConfigSection, new() =>
        _sections.TryGetValue(typeof(T), out var s) ? (T)s : new T();
}
