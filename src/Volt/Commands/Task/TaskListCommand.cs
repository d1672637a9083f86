using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Tasks;

internal sealed class TaskListCommand : VoltCommand
{
    public TaskListCommand() : base("list", "List tasks: NAME SCHEDULE LAST RUN RESULT NEXT RUN (reads the units and records; voltd may be down)")
    {
        Aliases.Add("ls");
        Examples = ["volt task list", "volt task ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var now = ctx.Time.GetUtcNow();
        ctx.Out.List([.. ctx.Engines.Tasks.List().Select(v => TaskViews.Row(v, now))], TaskViews.ListColumns(now));
        return Task.FromResult(0);
    }
}

internal sealed class TaskHistoryCommand : VoltCommand
{
    public TaskHistoryCommand() : base("history", "A task's last runs: trigger, start, duration, exit code, result (success, failed, timeout, interrupted, skipped-overlap)")
    {
        Add(TaskCommands.Name);
        Examples = ["volt task history backup", "volt task history backup -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        var engine = ctx.Engines.Tasks;
        engine.Store.EnsureExists(name);
        ctx.Out.List([.. engine.Store.History(name).Select(TaskViews.Run)], TaskViews.HistoryColumns);
        return Task.FromResult(0);
    }
}
