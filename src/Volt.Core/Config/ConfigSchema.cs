namespace Volt.Core.Config;

/// <summary>
/// The sections a config file may have, in the order they are listed in "unknown key" errors. Core owns only
/// <c>output</c> and <c>color</c> (on <see cref="VoltConfig"/> itself); every engine registers its own section.
/// </summary>
public sealed class ConfigSchema
{
    private readonly List<(string Key, Func<ConfigSection> Create)> _sections = [];
    private readonly List<Func<ConfigSection>> _factories = [];

    /// <summary>Registers <typeparamref name="T"/>; a key registered twice (or one of Core's) is a programming error.</summary>
    public ConfigSchema Add<T>() where T : ConfigSection, new()
    {
        var key = new T().Key;
        if (key is VoltConfig.OutputKey or VoltConfig.ColorKey || _sections.Any(s => s.Key == key))
            throw new InvalidOperationException($"config key \"{key}\" is registered twice");
        _sections.Add((key, static () => new T()));
        _factories.Add(_sections[^1].Create);
        return this;
    }

    public IEnumerable<string> Keys => _sections.Select(s => s.Key);

    /// <summary>A config with every registered section at its defaults (each made when first read).</summary>
    public VoltConfig Defaults() => new(_factories);
}
