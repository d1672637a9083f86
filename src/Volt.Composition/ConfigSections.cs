using Volt.Core.Config;
using Volt.Network;
using Volt.Registry.Hosting;
using Volt.Storage.Cas;
using Volt.Workloads.Supervision;

namespace Volt.Composition;

/// <summary>
/// Which engine owns which key of <c>config.yaml</c>: each engine declares its section (type, defaults, validation);
/// this is the one list of them. The order is the order of "known:" in an unknown-key error. A new engine with
/// settings adds its <see cref="ConfigSection"/> here.
/// </summary>
public static class ConfigSections
{
    public static ConfigSchema Schema { get; } = new ConfigSchema()
        .Add<SupervisorConfig>()  // Volt.Workloads
        .Add<CasConfig>()         // Volt.Storage
        .Add<RegistryConfig>()    // Volt.Registry
        .Add<NetworkConfig>()     // Volt.Network
        .Add<Volt.Daemon.DaemonConfig>() // Volt.Daemon
        .Add<Volt.Dns.DnsConfig>()       // Volt.Dns
        .Add<Volt.Ingress.IngressConfig>() // Volt.Ingress
        .Add<global::Volt.Images.Build.BuildConfig>(); // Volt.Images (build)

    /// <summary><see cref="ConfigLoader.Load"/> with every engine's section.</summary>
    public static VoltConfig Load(string path, bool mustExist) => ConfigLoader.Load(path, mustExist, Schema);

    /// <summary><see cref="ConfigLoader.Parse"/> with every engine's section.</summary>
    public static VoltConfig Parse(string text, string source) => ConfigLoader.Parse(text, source, Schema);
}
