using System.CommandLine;
using System.Text;
using Volt.Cli;
using Volt.Compose.Planning;
using Volt.Workloads.Containers;
using Volt.Workloads.Logs;

namespace Volt.Commands.Compose;

internal sealed class ComposeLogsCommand : VoltCommand
{
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new output until the instances stop (or Ctrl+C)" };
    private static readonly Option<int?> Tail = new("--tail") { Description = "Only the last N lines of each instance", HelpName = "N" };

    public ComposeLogsCommand() : base("logs", "Print the output of the stack's instances, each line prefixed by its instance (coloured on a terminal)")
    {
        Add(ComposeCommands.Services); Add(Follow); Add(Tail);
        Examples = ["volt compose logs", "volt compose logs -f --tail 20 web", "volt compose logs db"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, _) = ComposeCommands.Target(ctx, parse);
        var tail = parse.GetValue(Tail);
        if (tail < 0) throw Core.Errors.VoltException.Usage("--tail must be 0 or more");
        var instances = ComposeCommands.Instances(ctx, name, parse.GetValue(ComposeCommands.Services) ?? []);
        try { await FollowAsync(ctx, name, instances, tail, parse.GetValue(Follow), ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return 0;
    }

    private static readonly string[] Colours = ["36", "33", "32", "35", "34", "31"];

    /// <summary>Every instance's log, lines prefixed <c>INSTANCE | </c>; with <paramref name="follow"/> until they stop.</summary>
    internal static async Task FollowAsync(VoltContext ctx, string stack, IReadOnlyList<InstanceSpec> instances, int? tail, bool follow, CancellationToken ct)
    {
        var engine = ctx.Engines.Containers;
        var width = instances.Count == 0 ? 0 : instances.Max(i => i.Name.Length);
        var gate = new Lock();
        var output = ctx.Console.Out;
        var colour = ctx.Console.IsOutputTerminal;
        await Task.WhenAll(instances.Select((inst, n) => Task.Run(async () =>
        {
            // A Constellation service's output is the service's own log (voltd's stamped file); tasks have none here.
            var container = engine.Records.Exists(inst.Name);
            var service = !container && inst.Kind == InstanceKinds.Service && ctx.Engines.ServiceStore.Exists(inst.Name);
            if (!container && !service) return;
            var prefix = inst.Name.PadRight(width) + " | ";
            if (colour) prefix = $"\u001b[{Colours[n % Colours.Length]}m{prefix}\u001b[0m";
            var pending = new StringBuilder();
            bool Running()
            {
                try
                {
                    return service ? ctx.Engines.ServiceDriver.Info(inst.Name).Status is Workloads.Model.WorkloadStatus.Running or Workloads.Model.WorkloadStatus.Starting
                        : engine.Records.Exists(inst.Name) && engine.View(inst.Name).Status == ContainerStatus.Running;
                }
                catch (Exception e) when (e is Core.Errors.VoltException or IOException) { return false; }
            }
            await new LogFileReader(ctx.Time).ReadAsync(service ? ctx.Engines.ServiceStore.LogFile(inst.Name) : engine.Records.LogFile(inst.Name), new LogQuery(tail, null, null, false, follow), Running, text =>
            {
                pending.Append(text);
                var s = pending.ToString();
                var cut = s.LastIndexOf('\n');
                if (cut < 0) return Task.CompletedTask;
                pending.Clear().Append(s[(cut + 1)..]);
                var sb = new StringBuilder();
                foreach (var line in s[..cut].Split('\n')) sb.Append(prefix).Append(line).Append('\n');
                lock (gate) { output.Write(sb.ToString()); output.Flush(); }
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            if (pending.Length > 0) lock (gate) { output.Write(prefix + pending + "\n"); output.Flush(); }
        }, ct))).ConfigureAwait(false);
    }
}
