using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Vms.Machines;
using Volt.Workloads.Model;

namespace Volt.Commands.Vm;

internal static class VmCommands
{
    public static Command Group() => new GroupCommand("vm", "Virtual machines: QEMU (KVM when a probe boot proves it works, else TCG) under volt-vm@NAME.service",
        new VmCreateCommand(), new VmListCommand(), new VmInspectCommand(), new VmStartCommand(), new VmStopCommand(), new VmRestartCommand(),
        new VmDeleteCommand(), new VmConsoleCommand(), new VmLogsCommand(), new VmExecCommand(), new VmUpdateCommand(), VmSnapshotCommands.Group())
    {
        Examples =
        [
            "volt kernel add server && volt vm create web --image web:1 --cpu 2 --memory 1G --disk-size 10G",
            "volt vm start web && volt vm exec web -- uname -a",
            "volt vm console web        # Ctrl-] detaches",
            "volt vm create deb --disk debian-12-genericcloud-amd64.qcow2 --cloud-init user-data.yaml --memory 1G",
            "volt vm stop web && volt vm delete web",
        ],
    };

    public static readonly Argument<string> Name = new("NAME") { Description = "VM name (the unit is volt-vm@NAME.service)" };
    public static readonly Argument<string[]> Names = new("NAME") { Description = "VM name(s)", Arity = ArgumentArity.OneOrMore };

    public static string Existing(VoltContext ctx, string raw)
    {
        var n = VmName.Validate(raw);
        ctx.Engines.VmStore.EnsureExists(n);
        ctx.AuditResource = n;
        return n;
    }

    /// <summary>Every name checked (exit 2/3) before voltd (started on demand) acts on each.</summary>
    public static async Task<int> ForEachAsync(VoltContext ctx, ParseResult parse, Func<Daemon.DaemonClient, string, Task> action, CancellationToken ct)
    {
        var names = parse.GetValue(Names)!.Select(n => Existing(ctx, n)).ToList();
        if (ctx.Engines.SystemdSupervises)
            throw new Core.Errors.VoltException(Core.Errors.ExitCode.Dependency, "VMs run under voltd on this release; set supervisor: voltd (docs/vms.md)");
        using var client = await ctx.Engines.VmDaemonAsync(ct).ConfigureAwait(false);
        foreach (var n in names)
        {
            ctx.AuditResource = n;
            await action(client, n).ConfigureAwait(false);
            ctx.AuditActed.Add(n);
            ctx.Out.Line(n);
        }
        return 0;
    }

    public static JsonObject Row(WorkloadInfo w, VmStore store, DateTimeOffset now)
    {
        var c = store.Config(w.Name);
        var s = store.State(w.Name);
        return new JsonObject
        {
            ["name"] = w.Name,
            ["type"] = "vm",
            ["status"] = w.Status.Word(),
            ["image"] = w.Detail,
            ["ip"] = w.Ip,
            ["pid"] = w.Pid,
            ["accel"] = s.Accel ?? c.Accel,
            ["cpus"] = c.Cpus,
            ["memory_mib"] = c.MemoryMiB,
            ["kernel"] = c.Kernel,
            ["started_at"] = w.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["uptime_seconds"] = w.Status == WorkloadStatus.Running && w.StartedAt is { } t ? (long)(now - t).TotalSeconds : null,
            ["restart"] = w.Status == WorkloadStatus.Restarting && s.Restart is { } r
                ? new JsonObject { ["attempt"] = r.Attempt, ["next_at"] = r.NextAt.ToUniversalTime().ToString("O") } : null,
        };
    }

    public static JsonObject Inspect(WorkloadInfo w, VmStore store, DateTimeOffset now)
    {
        var o = Row(w, store, now);
        var c = store.Config(w.Name);
        var s = store.State(w.Name);
        o["accel_reason"] = s.AccelReason;
        o["accel_requested"] = c.Accel;
        o["disk"] = store.Disk(w.Name);
        o["disk_source"] = c.DiskSource;
        o["disk_size"] = c.DiskSizeBytes;
        o["source_image"] = c.Image;
        o["network"] = c.Network;
        o["tap"] = s.Tap;
        o["mac"] = c.Mac;
        o["publish"] = new JsonArray([.. c.Publish.Select(p => (JsonNode)p)]);
        o["cloud_init"] = c.CloudInit;
        o["restart_policy"] = c.Restart;
        o["cpu_pin"] = c.CpuPin;
        o["hugepages"] = c.Hugepages;
        o["unit_file"] = store.UnitFile(w.Name);
        o["serial_log"] = store.SerialLog(w.Name);
        o["qemu_log"] = store.LogFile(w.Name);
        o["qmp_socket"] = store.QmpSocket(w.Name);
        o["supervisor"] = s.Supervisor;
        o["finished_at"] = s.FinishedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        o["exit_code"] = s.ExitCode;
        o["restarts"] = s.Restarts;
        o["error"] = s.Error;
        return o;
    }

    public static readonly Column[] ListColumns =
    [
        new("NAME", "name"), new("STATUS", "status"), new("ACCEL", "accel"), new("CPUS", "cpus"),
        new("MEMORY", "memory_mib", n => n is JsonValue v && v.TryGetValue<long>(out var m) ? $"{m}M" : "-"),
        new("IP", "ip"),
        new("UPTIME", "uptime_seconds", n => n is JsonValue v && v.TryGetValue<long>(out var s) ? Human.Duration(TimeSpan.FromSeconds(s)) : "-"),
        new("IMAGE", "image"),
    ];
}
