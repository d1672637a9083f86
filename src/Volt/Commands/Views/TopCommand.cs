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

    public TopCommand() : base("top", "CPU, memory and I/O of running workloads from their cgroups (refreshes on a terminal)")
    {
        Add(Interval);
        Examples = ["volt top", "volt top -o json   # one sample, machine-readable", "volt top | cat    # one sample when piped"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var engine = ctx.Containers();
        var interval = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(Interval)));
        var live = ctx.Out.Format == OutputFormat.Table && ctx.Console.IsOutputTerminal;
        var before = Sample(engine);
        var at = ctx.Time.GetTimestamp();
        await Task.Delay(live ? interval : TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        while (true)
        {
            var after = Sample(engine);
            var elapsed = ctx.Time.GetElapsedTime(at);
            at = ctx.Time.GetTimestamp();
            if (live) ctx.Console.Out.Write("\x1b[H\x1b[2J");
            ctx.Out.List([.. after.Select(kv => Row(kv.Key, kv.Value, before.GetValueOrDefault(kv.Key), elapsed))], Columns);
            if (!live) return 0;
            before = after;
            try { await Task.Delay(interval, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return 0; }
        }
    }

    private static Dictionary<string, CgroupStats> Sample(ContainerEngine engine) =>
        engine.List().Where(v => v.Status == ContainerStatus.Running)
            .Select(v => (v.Name, Stats: engine.Stats(v.Name)))
            .Where(x => x.Stats is not null)
            .ToDictionary(x => x.Name, x => x.Stats!);

    private static JsonObject Row(string name, CgroupStats now, CgroupStats? before, TimeSpan elapsed) => new()
    {
        ["name"] = name,
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
        new("CPU %", "cpu_percent", n => n is JsonValue v && v.TryGetValue<double>(out var d) ? d.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : Human.Plain(n), RightAlign: true),
        new("MEMORY", "memory_bytes", Human.Bytes, RightAlign: true),
        new("LIMIT", "memory_limit_bytes", n => n is null ? "-" : Human.Bytes(n), RightAlign: true),
        new("IO READ", "io_read_bytes", Human.Bytes, RightAlign: true),
        new("IO WRITE", "io_write_bytes", Human.Bytes, RightAlign: true),
        new("PIDS", "pids", RightAlign: true),
    ];
}
