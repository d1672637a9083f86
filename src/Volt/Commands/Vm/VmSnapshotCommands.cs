using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Vms.Machines;
using Volt.Workloads.Model;

namespace Volt.Commands.Vm;

internal static class VmSnapshotCommands
{
    public static Command Group() => new GroupCommand("snapshot", "VM snapshots: the disk (snapshots/SNAP.qcow2), with --memory also RAM and devices (SNAP.vmstate)",
        new VmSnapshotActionCommand("create", "Snapshot a stopped VM's disk, or with --memory a running VM's disk, RAM and devices", "vm.snapshot.create"),
        new VmSnapshotListCommand(),
        new VmSnapshotActionCommand("restore", "Put the disk back as it was at the snapshot; a memory snapshot resumes the saved guest (running)", "vm.snapshot.restore"),
        new VmSnapshotActionCommand("delete", "Delete a snapshot", "vm.snapshot.delete"))
    {
        Examples =
        [
            "volt vm stop web && volt vm snapshot create web before-upgrade",
            "volt vm snapshot create web warm --memory      # running VM: RAM too; it keeps running",
            "volt vm snapshot restore web warm              # stops QEMU, resumes the saved guest",
            "volt vm snapshot list web",
        ],
    };

    public static readonly Option<bool> Memory = new("--memory") { Description = "create: save the running guest's RAM, CPU and device state too (QMP migrate to SNAP.vmstate)" };

    public static readonly Argument<string> Snap = new("SNAP") { Description = "Snapshot name" };

    public static VmSnapshots Of(VoltContext ctx) => new(ctx.Engines.VmStore, ctx.Processes);

    public static bool Running(VoltContext ctx, string vm) => ctx.Engines.VmDriver.Info(vm).Status.IsActive();
}

internal sealed class VmSnapshotActionCommand : VoltCommand
{
    private readonly string _audit;

    public VmSnapshotActionCommand(string name, string description, string audit) : base(name, description)
    {
        _audit = audit;
        Add(VmCommands.Name); Add(VmSnapshotCommands.Snap);
        if (name == "create") Add(VmSnapshotCommands.Memory);
        Examples = name == "create" ? ["volt vm snapshot create web before-upgrade", "volt vm snapshot create web warm --memory"] : [$"volt vm snapshot {name} web before-upgrade"];
    }

    public override string AuditAction => _audit;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var vm = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        var snap = parse.GetValue(VmSnapshotCommands.Snap)!;
        var s = VmSnapshotCommands.Of(ctx);
        switch (Name)
        {
            case "create" when parse.GetValue(VmSnapshotCommands.Memory):
                await s.CreateWithMemoryAsync(vm, snap, n => VmSnapshotCommands.Running(ctx, n), ct).ConfigureAwait(false); break;
            case "create": await s.CreateAsync(vm, snap, n => VmSnapshotCommands.Running(ctx, n), ct).ConfigureAwait(false); break;
            case "restore": await RestoreAsync(ctx, s, vm, snap, ct).ConfigureAwait(false); break;
            default: s.Delete(vm, snap); break;
        }
        ctx.Out.Line(snap);
        return 0;
    }

    /// <summary>A memory snapshot: QEMU stopped at once (no ACPI: its state is thrown away), the disk put back, and the VM started from the saved state.</summary>
    private static async Task RestoreAsync(VoltContext ctx, VmSnapshots s, string vm, string snap, CancellationToken ct)
    {
        if (!s.Get(vm, snap).Memory) { await s.RestoreAsync(vm, snap, n => VmSnapshotCommands.Running(ctx, n), ct).ConfigureAwait(false); return; }
        if (ctx.Engines.SystemdSupervises)
            throw new Core.Errors.VoltException(Core.Errors.ExitCode.Dependency, "VMs run under voltd on this release; set supervisor: voltd (docs/vms.md)");
        using var client = await ctx.Engines.VmDaemonAsync(ct).ConfigureAwait(false);
        if (VmSnapshotCommands.Running(ctx, vm)) await client.StopWorkloadAsync("vm", vm, TimeSpan.Zero, ct).ConfigureAwait(false);
        await s.RestoreAsync(vm, snap, n => VmSnapshotCommands.Running(ctx, n), ct).ConfigureAwait(false);
        await client.StartWorkloadAsync("vm", vm, ct).ConfigureAwait(false);
    }
}

internal sealed class VmSnapshotListCommand : VoltCommand
{
    public VmSnapshotListCommand() : base("list", "List a VM's snapshots")
    {
        Aliases.Add("ls");
        Add(VmCommands.Name);
        Examples = ["volt vm snapshot list web -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var vm = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        ctx.Out.List([.. VmSnapshotCommands.Of(ctx).List(vm).Select(s => new JsonObject
        {
            ["name"] = s.Name, ["file"] = s.File, ["bytes"] = s.Bytes, ["memory"] = s.Memory, ["memory_bytes"] = s.MemoryBytes, ["created_at"] = s.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        })], [new Column("SNAPSHOT", "name"), new Column("BYTES", "bytes", RightAlign: true), new Column("MEMORY", "memory_bytes", RightAlign: true), new Column("CREATED", "created_at")]);
        return Task.FromResult(0);
    }
}
