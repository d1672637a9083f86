using Volt.Registry.Hosting;
using Volt.Registry.Storage;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>The registry's repositories, tags and uploads on <see cref="Cas"/> (created on disk on first use).</summary>
    public RegistryStore RegistryStore => Once(ref _registry, () => new RegistryStore(Cas.EnsureCreated()));
    private RegistryStore? _registry;

    /// <summary>A registry server's settings from <c>registry.*</c>; <paramref name="echo"/> also gets its request log.</summary>
    public RegistryOptions RegistryOptions(TextWriter? echo = null) => global::Volt.Registry.Hosting.RegistryOptions.FromConfig(Paths, Config.Section<RegistryConfig>(), Time, echo);
}
