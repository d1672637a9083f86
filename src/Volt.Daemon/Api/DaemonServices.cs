using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>What the route handlers of one voltd work with (built by <see cref="VoltDaemon"/>; never by the client).</summary>
public sealed class DaemonServices(ContainerRuntime containers, WorkloadHandlers workloads, TimeSpan defaultStopTimeout)
{
    public ContainerRuntime Containers => containers;
    public WorkloadHandlers Workloads => workloads;
    /// <summary>The stop timeout when a request gives none.</summary>
    public TimeSpan DefaultStopTimeout => defaultStopTimeout;
    public string Version { get; } = typeof(DaemonServices).Assembly.GetName().Version?.ToString() ?? "";
}
