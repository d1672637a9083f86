using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Rendering;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;

namespace Volt.Commands.Views;

internal sealed class TopCommand : VoltCommand
{
    private static readonly Option<double> Interval = new Option<double>("--interval") { Description = "Seconds between samples", DefaultValueFactory = _ => 2 }.AcceptSeconds(0.1);

    private readonly bool _once;

    /// <param name="once"><c>volt stats</c>: the same sample, printed once (podman's <c>stats --no-stream</c>).</param>
    public TopCommand(bool once = false) : base(once ? "stats" : "top", once
        ? "One sample of CPU, memory and I/O of running workloads (volt top without refreshing)"
        : "CPU, memory and I/O of running workloads from their cgroups (refreshes on a terminal; q quits)")
    {
        _once = once;
        Add(Interval);
        Examples = once
            ? ["volt stats", "volt stats -o json", "volt stats --interval 1   # CPU % over one second"]
            : ["volt top                # refreshes every 2s; q or Ctrl-C quits", "volt top -o json   # one sample, machine-readable", "volt top | cat    # one sample when piped"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var engine = ctx.Engines.Containers;
        var services = ctx.Engines.ServiceDriver;
        // Kinds that sample themselves (a VM: QEMU's cgroup), beside the containers and services read here.
        IReadOnlyList<Workloads.Model.IWorkloadStatsSource> sources = [ctx.Engines.VmDriver];
        var interval = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(Interval)));
        var live = !_once && ctx.Out.Format == OutputFormat.Table && ctx.Console.IsOutputTerminal;
        if (!live)
        {
            var first = await SampleAsync(engine, services, sources, ct).ConfigureAwait(false);
            var start = ctx.Time.GetTimestamp();
            var wait = _once && parse.GetResult(Interval) is { Implicit: false } ? interval : TimeSpan.FromMilliseconds(250);
            await Task.Delay(wait, ctx.Time, ct).ConfigureAwait(false);
            var elapsedOnce = ctx.Time.GetElapsedTime(start);
            var second = await SampleAsync(engine, services, sources, ct).ConfigureAwait(false);
            ctx.Out.List([.. second.Select(kv => Row(kv.Key, kv.Value, first.GetValueOrDefault(kv.Key), elapsedOnce))], Columns);
            return 0;
        }
        // Live: q (or Ctrl-C, which cancels ct) quits; the key reader stops with the loop.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var quit = ctx.Console.Keys is { } keys ? WaitForQuitAsync(keys, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            var before = await SampleAsync(engine, services, sources, ct).ConfigureAwait(false);
            var at = ctx.Time.GetTimestamp();
            while (await WaitAsync(interval, ctx.Time, quit, stop.Token).ConfigureAwait(false))
            {
                var after = await SampleAsync(engine, services, sources, ct).ConfigureAwait(false);
                var elapsed = ctx.Time.GetElapsedTime(at);
                at = ctx.Time.GetTimestamp();
                ctx.Console.Out.Write("\x1b[H\x1b[2J");
                ctx.Out.List([.. after.Select(kv => Row(kv.Key, kv.Value, before.GetValueOrDefault(kv.Key), elapsed))], Columns);
                ctx.Console.Out.Flush();
                before = after;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await quit.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        return 0;
    }

    /// <summary>False once q was typed or Ctrl-C pressed; true when <paramref name="interval"/> passed.</summary>
    private static async Task<bool> WaitAsync(TimeSpan interval, TimeProvider time, Task quit, CancellationToken ct)
    {
        if (quit.IsCompleted || ct.IsCancellationRequested) return false;
        var tick = Task.Delay(interval, time, ct);
        var done = await Task.WhenAny(tick, quit).ConfigureAwait(false);
        return done == tick && tick.IsCompletedSuccessfully;
    }

    private static async Task WaitForQuitAsync(IKeyInput keys, CancellationToken ct)
    {
        while (await keys.ReadKeyAsync(ct).ConfigureAwait(false) is not ('q' or 'Q' or '\x03')) { }
    }

    /// <summary>Every running workload's cgroup figures, by (type, name): containers, services, then the kinds that
    /// report their own (VMs).</summary>
    private static async Task<Dictionary<(string Type, string Name), CgroupStats>> SampleAsync(ContainerEngine engine,
        Workloads.Services.ServiceDriver services, IReadOnlyList<Workloads.Model.IWorkloadStatsSource> sources, CancellationToken ct)
    {
        var result = engine.List().Where(v => v.Status == ContainerStatus.Running)
            .Select(v => (Key: ("container", v.Name), Stats: engine.Stats(v.Name)))
            .Where(x => x.Stats is not null)
            .ToDictionary(x => x.Key, x => x.Stats!);
        foreach (var w in services.List().Where(w => w.Status == Workloads.Model.WorkloadStatus.Running))
            if (w.Cgroup is { } cg && engine.Cgroups.Exists(cg)) result[("service", w.Name)] = engine.Cgroups.Stats(cg);
        foreach (var source in sources)
            foreach (var st in await source.StatsAsync(ct).ConfigureAwait(false))
                if (st.Usage is { } usage) result[(st.Workload.Kind.ToString().ToLowerInvariant(), st.Workload.Name)] = usage;
        return result;
    }

    private static JsonObject Row((string Type, string Name) key, CgroupStats now, CgroupStats? before, TimeSpan elapsed) => new()
    {
        ["name"] = key.Name,
        ["type"] = key.Type,
        ["cpu_percent"] = before is null || elapsed <= TimeSpan.Zero ? 0
            : Math.Round((now.CpuUsageNanos - before.CpuUsageNanos) / (elapsed.TotalMilliseconds * 1e6) * 100, 1),
        ["memory_bytes"] = now.MemoryBytes,
        ["memory_limit_bytes"] = now.MemoryLimitBytes,
        ["io_read_bytes"] = now.IoReadBytes,
        ["io_write_bytes"] = now.IoWriteBytes,
        ["pids"] = now.Tasks,
        ["oom_kills"] = now.OomKills,
    };

    private static readonly Column[] Columns =
    [
        new("NAME", "name"),
        new("TYPE", "type"),
        new("CPU %", "cpu_percent", n => n is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : Human.Plain(n), RightAlign: true),
        new("MEMORY", "memory_bytes", Human.Bytes, RightAlign: true),
        new("LIMIT", "memory_limit_bytes", n => n is null ? "-" : Human.Bytes(n), RightAlign: true),
        new("IO READ", "io_read_bytes", Human.Bytes, RightAlign: true),
        new("IO WRITE", "io_write_bytes", Human.Bytes, RightAlign: true),
        new("PIDS", "pids", RightAlign: true),
    ];
}
