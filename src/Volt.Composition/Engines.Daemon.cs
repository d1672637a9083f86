using Volt.Daemon;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>
    /// What <c>volt daemon</c> runs with: this root's <see cref="ContainerHost"/> (so voltd's containers get the same
    /// image rootfs and network adapters as the CLI's), on <paramref name="socketPath"/> (default
    /// <see cref="DaemonSocket"/>); SIGHUP re-reads <see cref="ConfigFile"/> through the same config sections.
    /// </summary>
    public DaemonOptions Daemon(string? socketPath = null) => new()
    {
        Host = ContainerHost,
        SharedCgroups = true,
        SocketPath = socketPath ?? DaemonSocket,
        // Services and tasks: voltd runs NAME.service units and volt-task-NAME.timer pairs itself (docs/services.md, docs/tasks.md).
        Workloads = DaemonWorkloads(Logging),
        Reload = () => ConfigSections.Load(ConfigFile ?? Paths.DefaultConfigFile, mustExist: false),
    };
}
