using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;
using Volt.Vms.Machines;

namespace Volt.Commands.Vm;

/// <summary><c>volt tune</c>: VM CPU pinning and NUMA, host hugepages and I/O schedulers; every change reversible (reset) and audited.</summary>
internal static class TuneCommands
{
    public static Command Group() => new GroupCommand("tune", "Performance tuning: VM CPU pinning and NUMA node, host hugepages and block I/O schedulers (volt tune reset undoes)",
        new GroupCommand("cpu", "CPU pinning of a VM's QEMU", new TunePinCommand(), new TuneUnpinCommand())
        { Examples = ["volt tune cpu pin web 2-3", "volt tune cpu unpin web"] },
        new GroupCommand("memory", "Host memory", new TuneHugepagesCommand()) { Examples = ["volt tune memory hugepages --size 2M --count 512"] },
        new GroupCommand("io", "Host block I/O", new TuneSchedulerCommand()) { Examples = ["volt tune io scheduler nvme0n1 none"] },
        new TuneNumaCommand(), new TuneShowCommand(), new TuneResetCommand(),
        new GroupCommand("profile", "Tuning profiles: named sets of settings in /etc/volt/profiles/NAME.tune (applied whole; volt tune reset undoes)",
            new TuneProfileListCommand(), new TuneProfileShowCommand(), new TuneProfileApplyCommand())
        { Examples = ["volt tune profile list", "volt tune profile show latency", "volt tune profile apply latency"] })
    {
        Examples =
        [
            "volt tune cpu pin web 2-3          # QEMU's threads on CPUs 2 and 3, now and at every start",
            "volt tune numa db 1                # pinned to NUMA node 1's CPUs",
            "volt tune memory hugepages --size 2M --count 512 && volt vm create big --image web:1 --memory 1G --hugepages",
            "volt tune io scheduler sda mq-deadline",
            "volt tune show && volt tune reset all",
            "volt tune profile apply latency    # every setting of /etc/volt/profiles/latency.tune",
        ],
    };

    public static Tuner Of(VoltContext ctx) => new(ctx.Engines.VmStore, ctx.Processes);

    public static TuneProfiles Profiles(VoltContext ctx) => new(Of(ctx), ctx.Engines.VmStore);

    public static readonly Argument<string> ProfileName = new("PROFILE") { Description = "Profile name (/etc/volt/profiles/PROFILE.tune)" };
}

internal sealed class TuneProfileListCommand : VoltCommand
{
    public TuneProfileListCommand() : base("list", "List the tuning profiles in /etc/volt/profiles/ and which one was applied last")
    {
        Aliases.Add("ls");
        Examples = ["volt tune profile list", "volt tune profile list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var applied = TuneCommands.Of(ctx).Journal().Profile;
        ctx.Out.List([.. TuneCommands.Profiles(ctx).List().Select(p => new JsonObject
        {
            ["name"] = p.Name, ["file"] = p.File, ["settings"] = p.Steps.Count, ["applied"] = p.Name == applied,
        })], [new Column("PROFILE", "name"), new Column("SETTINGS", "settings", RightAlign: true),
            new Column("APPLIED", "applied", n => n?.GetValue<bool>() == true ? "yes" : "no"), new Column("FILE", "file")]);
        return Task.FromResult(0);
    }
}

internal sealed class TuneProfileShowCommand : VoltCommand
{
    public TuneProfileShowCommand() : base("show", "Show a tuning profile's settings (checked: a bad line is exit 12 with FILE:LINE)")
    {
        Add(TuneCommands.ProfileName);
        Examples = ["volt tune profile show latency", "volt tune profile show latency -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var p = TuneCommands.Profiles(ctx).Load(parse.GetValue(TuneCommands.ProfileName)!);
        ctx.Out.List([.. p.Steps.Select(s => new JsonObject { ["line"] = s.Line, ["setting"] = s.Setting, ["value"] = string.Join(' ', s.Args) })],
            [new Column("LINE", "line", RightAlign: true), new Column("SETTING", "setting"), new Column("VALUE", "value")]);
        return Task.FromResult(0);
    }
}

internal sealed class TuneProfileApplyCommand : VoltCommand
{
    public TuneProfileApplyCommand() : base("apply", "Apply every setting of a tuning profile, all or none (volt tune reset all undoes it)")
    {
        Add(TuneCommands.ProfileName);
        Examples =
        [
            "volt tune profile apply latency",
            "printf 'hugepages 2M 512\\ncpu-pin web 2-3\\n' > /etc/volt/profiles/latency.tune && volt tune profile apply latency",
        ];
    }

    public override string AuditAction => "tune.profile.apply";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TuneCommands.ProfileName)!;
        ctx.AuditResource = name;
        foreach (var line in await TuneCommands.Profiles(ctx).ApplyAsync(name, ct).ConfigureAwait(false)) ctx.Out.Line(line);
        return 0;
    }
}

internal sealed class TunePinCommand : VoltCommand
{
    private static readonly Argument<string> Cpus = new("CPU-LIST") { Description = "Host CPUs, e.g. 0-3,6" };

    public TunePinCommand() : base("pin", "Pin a VM's QEMU (every thread) to host CPUs: at once if it runs, and at every start")
    {
        Add(VmCommands.Name); Add(Cpus);
        Examples = ["volt tune cpu pin web 2-3", "volt tune cpu pin db 0,2"];
    }

    public override string AuditAction => "tune.cpu.pin";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        ctx.Out.Line(await TuneCommands.Of(ctx).PinAsync(n, parse.GetValue(Cpus)!, null, ct).ConfigureAwait(false));
        ctx.AuditActed.Add(n);
        return 0;
    }
}

internal sealed class TuneUnpinCommand : VoltCommand
{
    public TuneUnpinCommand() : base("unpin", "Remove a VM's CPU pinning (and NUMA node)")
    {
        Add(VmCommands.Name);
        Examples = ["volt tune cpu unpin web"];
    }

    public override string AuditAction => "tune.cpu.unpin";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        ctx.Out.Line(await TuneCommands.Of(ctx).UnpinAsync(n, ct).ConfigureAwait(false));
        ctx.AuditActed.Add(n);
        return 0;
    }
}

internal sealed class TuneNumaCommand : VoltCommand
{
    private static readonly Argument<int> Node = new("NODE") { Description = "NUMA node number (/sys/devices/system/node/nodeN)" };

    public TuneNumaCommand() : base("numa", "Pin a VM to the CPUs of one NUMA node")
    {
        Add(VmCommands.Name); Add(Node);
        Examples = ["volt tune numa db 1"];
    }

    public override string AuditAction => "tune.numa";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var n = VmCommands.Existing(ctx, parse.GetValue(VmCommands.Name)!);
        var node = parse.GetValue(Node);
        if (node is < 0 or > 1023) throw Core.Errors.VoltException.Usage("NODE must be 0-1023");
        ctx.Out.Line(await TuneCommands.Of(ctx).NumaAsync(n, node, ct).ConfigureAwait(false));
        ctx.AuditActed.Add(n);
        return 0;
    }
}

internal sealed class TuneHugepagesCommand : VoltCommand
{
    private static readonly Option<string> Size = new Option<string>("--size") { Description = "Page size", DefaultValueFactory = _ => "2M", HelpName = "2M|1G" }.AcceptOneOf("2M", "1G");
    private static readonly Option<long> Count = new("--count") { Description = "Pages to reserve (0 gives them back)", Required = true, HelpName = "N" };

    public TuneHugepagesCommand() : base("hugepages", "Reserve host hugepages (sysfs nr_hugepages; the earlier value is kept for volt tune reset)")
    {
        Add(Size); Add(Count);
        Examples = ["volt tune memory hugepages --size 2M --count 512", "volt tune reset hugepages-2M"];
    }

    public override string AuditAction => "tune.memory.hugepages";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.Out.Line(TuneCommands.Of(ctx).Hugepages(parse.GetValue(Size)!, parse.GetValue(Count)));
        return Task.FromResult(0);
    }
}

internal sealed class TuneSchedulerCommand : VoltCommand
{
    private static readonly Argument<string> Device = new("DEVICE") { Description = "Block device (sda, nvme0n1, /dev/vdb)" };
    private static readonly Argument<string> Scheduler = new Argument<string>("SCHEDULER") { Description = "none, mq-deadline, bfq or kyber" }.AcceptOneOf(Tuner.Schedulers);

    public TuneSchedulerCommand() : base("scheduler", "Set a block device's I/O scheduler (the earlier one is kept for volt tune reset)")
    {
        Add(Device); Add(Scheduler);
        Examples = ["volt tune io scheduler sda mq-deadline", "volt tune reset io:sda"];
    }

    public override string AuditAction => "tune.io.scheduler";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.AuditResource = parse.GetValue(Device);
        ctx.Out.Line(TuneCommands.Of(ctx).IoScheduler(parse.GetValue(Device)!, parse.GetValue(Scheduler)!));
        return Task.FromResult(0);
    }
}

internal sealed class TuneShowCommand : VoltCommand
{
    public TuneShowCommand() : base("show", "What Volt tuned: VM pinning and NUMA nodes, host settings with their earlier values")
    {
        Examples = ["volt tune show", "volt tune show -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = new List<JsonObject>();
        var store = ctx.Engines.VmStore;
        foreach (var vm in store.Names())
        {
            var c = store.Config(vm);
            if (c.CpuPin is not null) rows.Add(new JsonObject { ["key"] = "vm:" + vm, ["value"] = c.NumaNode is { } node ? $"numa node {node} (CPUs {c.CpuPin})" : "CPUs " + c.CpuPin, ["original"] = "unpinned" });
            if (c.Hugepages) rows.Add(new JsonObject { ["key"] = "vm:" + vm, ["value"] = "hugepages", ["original"] = "" });
        }
        var journal = TuneCommands.Of(ctx).Journal();
        if (journal.Profile is { } applied)
            rows.Add(new JsonObject { ["key"] = "profile", ["value"] = applied, ["original"] = "", ["changed_at"] = journal.ProfileAppliedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") });
        foreach (var e in journal.Entries)
            rows.Add(new JsonObject { ["key"] = e.Key, ["value"] = e.Value, ["original"] = e.Original, ["file"] = e.File, ["changed_at"] = e.ChangedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") });
        ctx.Out.List(rows, [new Column("TUNED", "key"), new Column("VALUE", "value"), new Column("BEFORE", "original")]);
        return Task.FromResult(0);
    }
}

internal sealed class TuneResetCommand : VoltCommand
{
    private static readonly Argument<string> Target = new("TARGET") { Description = "vm:NAME, hugepages-2M, hugepages-1G, io:DEVICE, or all" };

    public TuneResetCommand() : base("reset", "Undo tuning: a VM's pinning, a host setting back to its value before Volt, or all")
    {
        Add(Target);
        Examples = ["volt tune reset vm:web", "volt tune reset hugepages-2M", "volt tune reset io:sda", "volt tune reset all"];
    }

    public override string AuditAction => "tune.reset";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var t = parse.GetValue(Target)!;
        ctx.AuditResource = t;
        var tuner = TuneCommands.Of(ctx);
        if (t.StartsWith("vm:", StringComparison.Ordinal))
        {
            var n = VmCommands.Existing(ctx, t[3..]);
            ctx.Out.Line(await tuner.UnpinAsync(n, ct).ConfigureAwait(false));
            return 0;
        }
        if (t == "all")
            foreach (var vm in ctx.Engines.VmStore.Names().Where(v => ctx.Engines.VmStore.Config(v).CpuPin is not null))
                ctx.Out.Line(await tuner.UnpinAsync(vm, ct).ConfigureAwait(false));
        foreach (var line in tuner.ResetHost(t == "all" ? null : t)) ctx.Out.Line(line);
        return 0;
    }
}
