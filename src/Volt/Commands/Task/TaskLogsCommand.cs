using System.CommandLine;
using Volt.Cli;
using Volt.Core.Processes;
using Volt.Workloads.Logs;
using Volt.Workloads.Supervision;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

/// <summary>
/// Every run's output, as <c>volt logs</c> prints a container's: the same options and format (voltd: the stamped
/// file <c>/var/log/volt/workloads/tasks/NAME.log</c>; systemd: the journal of <c>volt-task-NAME.service</c>).
/// </summary>
internal sealed class TaskLogsCommand : VoltCommand
{
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new output until the run in progress ends (or Ctrl+C)" };
    private static readonly Option<int?> Tail = new("--tail") { Description = "Only the last N lines", HelpName = "N" };
    private static readonly Option<string?> Since = new("--since") { Description = "Only lines from this time on: a duration back from now (10m, 1h30m), RFC 3339 or Unix seconds", HelpName = "TIME" };
    private static readonly Option<string?> Until = new("--until") { Description = "Only lines up to this time (same forms as --since)", HelpName = "TIME" };
    private static readonly Option<bool> Timestamps = new("--timestamps", "-t") { Description = "Show each line's time (RFC 3339, UTC)" };

    public TaskLogsCommand() : base("logs", "Print a task's output (every run, oldest first)")
    {
        Add(TaskCommands.Name);
        Add(Follow); Add(Tail); Add(Since); Add(Until); Add(Timestamps);
        Examples = ["volt task logs backup", "volt task logs --tail 20 --timestamps backup", "volt task logs --since 1h backup"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        var store = new TaskStore(ctx.Paths);
        store.EnsureExists(name);
        var now = ctx.Time.GetUtcNow();
        var tail = parse.GetValue(Tail);
        if (tail < 0) throw Core.Errors.VoltException.Usage("--tail must be 0 or more");
        var q = new LogQuery(tail,
            parse.GetValue(Since) is { } s ? LogTime.Parse(s, now, "--since") : null,
            parse.GetValue(Until) is { } u ? LogTime.Parse(u, now, "--until") : null,
            parse.GetValue(Timestamps), parse.GetValue(Follow));
        var output = ctx.Console.Out;
        if (ctx.Engines.SystemdSupervises)
        {
            var r = await ctx.Processes.RunAsync("journalctl", JournalQuery.Args(TaskName.ServiceUnit(name), q),
                new ProcessOptions { StdOutLine = q.Follow ? line => { output.WriteLine(line); output.Flush(); } : null }, ct).ConfigureAwait(false);
            if (!q.Follow) output.Write(r.StdOut);
            if (r.ExitCode != 0) ctx.Console.Error.Write(r.StdErr);
            return r.ExitCode;
        }
        bool Running() => store.History(name).LastOrDefault()?.Result == TaskResult.Running;
        await new LogFileReader(ctx.Time).ReadAsync(store.LogFile(name), q, Running, async text =>
        {
            await output.WriteAsync(text).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return 0;
    }
}
