using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Compose.Volumes;
using Volt.Composition.Adapters;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>Named volumes under <c>/var/lib/volt/volumes</c>.</summary>
    public VolumeStore Volumes => Once(ref _volumes, () => new VolumeStore(Paths.Volumes, Time));
    private VolumeStore? _volumes;

    /// <summary>What each stack runs (<c>/var/lib/volt/stacks</c>).</summary>
    public StackStore ComposeState => Once(ref _stacks, () => new StackStore(System.IO.Path.Combine(Paths.Lib, "stacks")));
    private StackStore? _stacks;

    /// <summary>The orchestrator for one stack: the executor on this host's containers, networks and volumes.</summary>
    public Executor Orchestrator(string stack) => new(new StackRuntime(this, stack), ComposeState, Time);

    /// <summary>Resolution paths for a stack: volumes root, its files directory, the process environment.</summary>
    public ResolveContext ComposeContext(string stack) =>
        new(Paths.Volumes, ComposeState.FilesDir(stack), System.Environment.GetEnvironmentVariable);

    /// <summary>Containers whose config mounts the volume (rm refuses while any exists).</summary>
    public IReadOnlyList<string> VolumeUsers(string volume)
    {
        var dir = Volumes.PathOf(volume);
        return [.. Containers.List().Where(c => c.Config?.Volumes.Any(v => v.Host == dir || v.Host.StartsWith(dir + "/", StringComparison.Ordinal)) == true).Select(c => c.Name)];
    }
}
