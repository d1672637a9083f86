using System.CommandLine;

namespace Volt.Commands;

/// <summary>
/// Every top-level command, in help order, each by its name and how to build it. A run builds only the subtree of the
/// command it names (<see cref="Cli.VoltApp"/>); help, completion and the tests walk the whole tree (<see cref="All"/>).
/// A new top-level command is one line here: <c>new("name", () => new XCommand()),</c> (its name as the command spells
/// it; CommandCatalogTests checks that the two agree).
/// </summary>
internal static class CommandCatalog
{
    /// <summary>
    /// One top-level command: the name it is invoked by and its factory (a fresh subtree per call); a group that can
    /// build one subcommand alone also gives <paramref name="BuildFor"/> (the subcommand's word → the group with it).
    /// </summary>
    internal sealed record Entry(string Name, Func<Command> Build, Func<string, Command>? BuildFor = null);

    internal static readonly Entry[] Entries =
    [
        new("cas", () => Cas.CasCommands.Group()),
        new("registry", () => Registry.RegistryCommands.Group()),
        new("image", () => Image.ImageCommands.Group()),
        new("net", () => Net.NetCommands.Group()),
        new("dns", () => Dns.DnsCommands.Group()),
        new("firewall", () => Firewall.FirewallCommands.Group()),
        new("container", () => Container.ContainerCommands.Group()),
        new("gitops", () => GitOps.GitOpsCommands.Group()),
        new("ingress", () => Ingress.IngressCommands.Group()),
        new("task", () => Tasks.TaskCommands.Group(), sub => Tasks.TaskCommands.Group(sub)),
        new("service", () => Service.ServiceCommands.Group(), sub => Service.ServiceCommands.Group(sub)),
        new("sandbox", () => Sandbox.SandboxCommands.Group()),
        new("vm", () => Vm.VmCommands.Group()),
        new("kernel", () => Vm.KernelCommands.Group()),
        new("tune", () => Vm.TuneCommands.Group()),
        new("compose", () => Compose.ComposeCommands.Group()),
        new("volume", () => Volume.VolumeCommands.Group()),
        new("mesh", () => Mesh.MeshCommands.Group()),
        new("run", () => new Views.RunCommand()),
        new("ps", () => new Views.PsCommand()),
        new("top", () => new Views.TopCommand()),
        new("logs", () => new Views.LogsCommand()),
        new("daemon", () => new Views.DaemonCommand()),
        .. Shortcuts.ShortcutCommand.Entries,
        new("system", () => Prune.SystemCommands.Group()),
        new("audit", () => Audit.AuditCommands.Group()),
        new("config", () => Config.ConfigCommands.Group()),
        new("version", () => new Meta.VersionCommand()),
        new("completion", () => new Meta.CompletionCommand()),
    ];

    /// <summary>The whole tree's top level (help, completion, the convention and fuzz tests).</summary>
    public static IEnumerable<Command> All() => Entries.Select(e => e.Build());

    /// <summary>The entry invoked as <paramref name="name"/>, or null (an unknown word: the whole tree reports it).</summary>
    public static Entry? Find(string name)
    {
        foreach (var e in Entries)
            if (string.Equals(e.Name, name, StringComparison.Ordinal)) return e;
        return null;
    }
}
