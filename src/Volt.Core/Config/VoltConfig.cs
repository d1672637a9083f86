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
    private readonly IReadOnlyList<Func<ConfigSection>> _registered = [];
    private IReadOnlyList<ConfigSection>? _list;

    /// <summary>All defaults, no sections registered (<see cref="Section{T}"/> then gives each section's defaults).</summary>
    public VoltConfig() { }

    /// <summary>
    /// The registered sections, each made at its defaults when first asked for: a command reads one or two of the
    /// engines' sections, and making all of them (with their types' first-use costs) was a share of every start.
    /// </summary>
    internal VoltConfig(IReadOnlyList<Func<ConfigSection>> registered) => _registered = registered;

    /// <summary>Default output format when neither <c>-o</c> nor <c>VOLT_OUTPUT</c> is given.</summary>
    public string Output { get; set; } = "table";
    public string Color { get; set; } = "auto";

    /// <summary>The registered sections, in registration order (made now where not asked for before).</summary>
    public IReadOnlyList<ConfigSection> Sections => _list ??= MakeAll();

    /// <summary>The section <typeparamref name="T"/> as loaded; its defaults when it was not loaded or not registered.</summary>
    public T Section<T>() where T : ConfigSection, new()
    {
        lock (_sections) // voltd's handlers read sections from many threads
        {
            if (_sections.TryGetValue(typeof(T), out var s)) return (T)s;
            var made = new T();
            _sections[typeof(T)] = made; // the one instance from now on, as a loaded section is
            return made;
        }
    }

    private List<ConfigSection> MakeAll()
    {
        lock (_sections) return MakeAllLocked();
    }

    private List<ConfigSection> MakeAllLocked()
    {
        var list = new List<ConfigSection>(_registered.Count);
        foreach (var create in _registered)
        {
            var made = create();
            if (_sections.TryGetValue(made.GetType(), out var asked)) list.Add(asked);
            else
            {
                _sections[made.GetType()] = made;
                list.Add(made);
            }
        }
        return list;
    }
}
