using Microsoft.Extensions.Logging;
using Volt.Mesh;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>The WireGuard mesh over etcd (docs/mesh.md): membership, tokens, status.</summary>
    public MeshEngine Mesh => Once(ref _mesh, () => new MeshEngine(Paths, Processes, Time, Logging.CreateLogger("Volt.Mesh"), new Adapters.MeshNetworkAdapter(() => Networks)));
    private MeshEngine? _mesh;

    /// <summary>The volt-mesh agent (a foreground loop: <c>volt mesh agent</c>, run as the volt-mesh service).</summary>
    public MeshAgent MeshAgent() => new(Mesh, Processes, Time, Logging.CreateLogger("Volt.Mesh.Agent"));
}
