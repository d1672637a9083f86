using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Views;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

/// <summary>
/// Every run's output, as <c>volt logs</c> prints a container's: the same options and format (voltd: the stamped
/// file <c>/var/log/volt/workloads/tasks/NAME.log</c>; systemd: the journal of <c>volt-task-NAME.service</c>).
/// </summary>
internal sealed class TaskLogsCommand : VoltCommand
{
    public TaskLogsCommand() : base("logs", "Print a task's output (every run, oldest first)")
    {
        Add(TaskCommands.Name);
        Add(LogsCommand.Follow); Add(LogsCommand.Tail); Add(LogsCommand.Since); Add(LogsCommand.Until); Add(LogsCommand.Timestamps);
        Examples = ["volt task logs backup", "volt task logs --tail 20 --timestamps backup", "volt task logs --since 1h backup"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        var store = ctx.Engines.TaskStore;
        store.EnsureExists(name);
        var q = LogsCommand.Query(ctx, parse);
        // -f follows while a run is in progress.
        bool Running() => store.History(name).LastOrDefault()?.Result == TaskResult.Running;
        return ctx.Engines.SystemdSupervises
            ? LogsCommand.JournalAsync(ctx, TaskName.ServiceUnit(name), q, Running, ct)
            : LogsCommand.FileAsync(ctx, store.LogFile(name), q, Running, ct);
    }
}
