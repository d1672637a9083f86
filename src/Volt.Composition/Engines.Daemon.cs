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
        Reload = () =>
        {
            // Validated through every engine's section; a bad file throws and the running configuration stays.
            var file = ConfigFile ?? Paths.DefaultConfigFile;
            ConfigSections.Load(file, mustExist: false);
            return File.Exists(file) ? $"{file} re-read and valid" : $"{file} absent: embedded defaults";
        },
        SocketGroup = Config.Section<DaemonConfig>().SocketGroup,
        SocketGroupRequired = Config.Section<DaemonConfig>().SocketGroupExplicit,
    };
}
