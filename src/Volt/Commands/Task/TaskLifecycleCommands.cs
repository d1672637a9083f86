using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

internal sealed class TaskRunCommand : VoltCommand
{
    public TaskRunCommand() : base("run", "Run a task now and wait for it; returns its exit code (7 when it timed out)")
    {
        Add(TaskCommands.Name);
        Examples = ["volt task run backup", "volt task run backup -o json"];
    }

    public override string AuditAction => "task.run";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        ctx.Engines.Tasks.Store.EnsureExists(name);
        var run = await (await ctx.Engines.TaskSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false)).RunAsync(name, ct).ConfigureAwait(false);
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Object(TaskViews.Run(run));
        return run.Result switch
        {
            TaskResult.Timeout => throw new VoltException(ExitCode.Timeout, $"task \"{name}\" timed out (stopped after its --timeout)"),
            TaskResult.Interrupted => throw new VoltException(ExitCode.Interrupted, $"task \"{name}\" was interrupted"),
            TaskResult.Failed when run.ExitCode is null => throw new VoltException(ExitCode.General, $"task \"{name}\" could not be started (see volt task logs {name})"),
            _ => run.ExitCode ?? 0,
        };
    }
}

internal sealed class TaskEnableCommand : VoltCommand
{
    public TaskEnableCommand() : base("enable", "Arm a task's timer again")
    {
        Add(TaskCommands.Name);
        Examples = ["volt task enable backup"];
    }

    public override string AuditAction => "task.enable";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) => TaskEnable.SetAsync(ctx, parse, true, ct);
}

internal sealed class TaskDisableCommand : VoltCommand
{
    public TaskDisableCommand() : base("disable", "Disarm a task's timer (volt task run still runs it)")
    {
        Add(TaskCommands.Name);
        Examples = ["volt task disable backup"];
    }

    public override string AuditAction => "task.disable";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) => TaskEnable.SetAsync(ctx, parse, false, ct);
}

internal static class TaskEnable
{
    public static async Task<int> SetAsync(VoltContext ctx, ParseResult parse, bool enabled, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        ctx.Engines.Tasks.SetEnabled(name, enabled);
        await (await ctx.Engines.TaskSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false)).LoadAsync(name, ct).ConfigureAwait(false);
        ctx.Out.Line(name);
        return 0;
    }
}

internal sealed class TaskDeleteCommand : VoltCommand
{
    public TaskDeleteCommand() : base("delete", "Delete a task: its timer ends, a run in progress is stopped, units, history and log are removed")
    {
        Aliases.Add("rm");
        Add(TaskCommands.Name);
        Examples = ["volt task delete backup"];
    }

    public override string AuditAction => "task.delete";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        var engine = ctx.Engines.Tasks;
        engine.Store.EnsureExists(name);
        await (await ctx.Engines.TaskSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false)).RemoveAsync(name, ct).ConfigureAwait(false);
        engine.Delete(name);
        ctx.Out.Line(name);
        return 0;
    }
}
