using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

internal sealed class TaskCreateCommand : VoltCommand, ITrailingCommand
{
    private static readonly Option<string> Schedule = new("--schedule") { Description = "When to run: a systemd calendar expression (daily, 'Mon..Fri 09:00', '*-*-* 02:00:00', '*:0/15')", HelpName = "CALENDAR", Required = true };
    private static readonly Option<bool> Persistent = new("--persistent") { Description = "Catch up one missed run after the host (or voltd) was down (Persistent=true)" };
    private static readonly Option<string?> Timeout = new Option<string?>("--timeout") { Description = "Stop a run that takes longer (10m, 1h30m); recorded as timeout", HelpName = "DURATION" }.AcceptDuration();
    private static readonly Option<string?> User = new("--user") { Description = "Run as USER or USER:GROUP", HelpName = "USER" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "Set KEY=VALUE; repeatable", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory", HelpName = "DIR" }.AcceptPath();
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments (after --)", Arity = ArgumentArity.OneOrMore };

    public TaskCreateCommand() : base("create", "Create a task: writes volt-task-NAME.timer + .service and arms the timer")
    {
        Add(TaskCommands.Name);
        Add(Schedule); Add(Persistent); Add(Timeout); Add(User); Add(Env); Add(Workdir);
        Add(Command);
        Examples =
        [
            "volt task create backup --schedule daily --persistent -- /usr/local/bin/backup.sh --full",
            "volt task create report --schedule 'Mon..Fri 09:00' --timeout 10m --user nobody -- /usr/bin/report",
            "volt task create tick --schedule '*:*:0/2' -e MODE=fast -w /tmp -- sh -c 'date >> ticks'",
        ];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "task.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(TaskCommands.Name)!;
        ctx.AuditResource = name;
        var timeout = parse.GetValue(Timeout) is { } t ? Core.Config.DurationParser.Parse(t, "--timeout") : (TimeSpan?)null;
        var spec = new TaskSpec(name, parse.GetValue(Schedule)!, parse.GetValue(Command) ?? [], parse.GetValue(Persistent), timeout,
            parse.GetValue(User), parse.GetValue(Env), parse.GetValue(Workdir) is { } w ? Path.GetFullPath(w) : null);
        var engine = ctx.Engines.Tasks;
        engine.Create(spec, ctx.Env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        try { await (await ctx.Engines.TaskSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false)).LoadAsync(name, ct).ConfigureAwait(false); }
        catch
        {
            engine.Delete(name); // nothing half-made: a task whose timer could not be armed is not created
            throw;
        }
        if (ctx.Out.Format == Rendering.OutputFormat.Table) ctx.Out.Line(name);
        else ctx.Out.Object(TaskViews.Inspect(engine.View(name), ctx.Time.GetUtcNow()));
        return 0;
    }
}
