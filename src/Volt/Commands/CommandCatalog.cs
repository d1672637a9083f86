using System.CommandLine;

namespace Volt.Commands;

/// <summary>Every top-level command, in help order.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        Cas.CasCommands.Group(),
        Registry.RegistryCommands.Group(),
        Image.ImageCommands.Group(),
        Net.NetCommands.Group(),
        Container.ContainerCommands.Group(),
        GitOps.GitOpsCommands.Group(),
        Tasks.TaskCommands.Group(),
        Service.ServiceCommands.Group(),
        new Views.RunCommand(),
        new Views.PsCommand(),
        new Views.TopCommand(),
        new Views.LogsCommand(),
        new Views.DaemonCommand(),
        .. Shortcuts.ShortcutCommand.All(),
        Prune.SystemCommands.Group(),
        Audit.AuditCommands.Group(),
        Config.ConfigCommands.Group(),
        new Meta.VersionCommand(),
        new Meta.CompletionCommand(),
    ];
}
