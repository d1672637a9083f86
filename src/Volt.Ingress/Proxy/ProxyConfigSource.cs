using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Volt.Ingress.Proxy;

/// <summary>
/// YARP's configuration, built in code (no IConfiguration binding, which is reflection-based): each
/// <see cref="Update"/> signals the previous snapshot's change token, and YARP swaps its route and cluster tables
/// atomically; requests already forwarding keep the objects they started with.
/// </summary>
internal sealed class ProxyConfigSource : IProxyConfigProvider
{
    private volatile Snapshot _current = new([], []);

    public IProxyConfig GetConfig() => _current;

    public void Update(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters)
    {
        var old = _current;
        _current = new Snapshot(routes, clusters);
        old.Signal();
    }

    private sealed class Snapshot(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        private readonly CancellationTokenSource _cts = new();
        public IReadOnlyList<RouteConfig> Routes { get; } = routes;
        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;
        public IChangeToken ChangeToken => new CancellationChangeToken(_cts.Token);
        public void Signal() => _cts.Cancel();
    }
}
