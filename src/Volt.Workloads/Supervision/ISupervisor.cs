namespace Volt.Workloads.Supervision;

/// <summary>
/// Starts and stops containers. Two drivers: <see cref="SystemdSupervisor"/> (the unit, <c>systemctl</c>) where
/// systemd is PID 1, and voltd (<c>Volt.Daemon</c>'s client, which runs <see cref="Runtime.ContainerRuntime"/>) where
/// it is not. Both run the same nspawn command line.
/// </summary>
public interface ISupervisor
{
    /// <summary><c>systemd</c>, <c>voltd</c> or <c>in-process</c>.</summary>
    string Name { get; }

    /// <summary>Starts a stopped container; a running one is left as is.</summary>
    Task StartAsync(string name, CancellationToken ct = default);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="timeout"/>; a stopped container is left as is.</summary>
    Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default);
}

/// <summary>Which supervisor config <c>supervisor: auto|systemd|voltd</c> selects on this host.</summary>
public static class SupervisorChoice
{
    public static string Resolve(string configured, string systemdMarker = "/run/systemd/system") => configured switch
    {
        "systemd" or "voltd" => configured,
        "auto" or "" => Directory.Exists(systemdMarker) ? "systemd" : "voltd",
        _ => throw Core.Errors.VoltException.Usage($"invalid supervisor \"{configured}\" in config: expected auto, systemd or voltd"),
    };
}
