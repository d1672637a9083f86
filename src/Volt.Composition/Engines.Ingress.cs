using Volt.Ingress.Routes;
using Volt.Network.State;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>Ingress routes, one file each in <c>/etc/volt/ingress/</c>.</summary>
    public RouteStore IngressRoutes => Once(ref _ingressRoutes, () => new RouteStore(Path.Combine(Paths.Etc, "ingress"), Time));
    private RouteStore? _ingressRoutes;

    /// <summary>Backend targets through Volt's network records (<c>web:8080</c> → every instance's address).</summary>
    public BackendResolver IngressBackends => Once(ref _ingressBackends, () => new BackendResolver(new NetworkStore(Paths)));
    private BackendResolver? _ingressBackends;

    /// <summary>The attachment records the ingress watches for backends that move.</summary>
    public string IngressAttachmentsDir => new NetworkStore(Paths).AttachmentsDir;

    /// <summary>Where a running <c>ingress serve</c> publishes its state (pid for reload, addresses, generation).</summary>
    public string IngressServerStateFile => Path.Combine(Paths.Run, "ingress-serve.json");
}
