using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Commands.Service;
using Volt.Core.Processes;
using Volt.Workloads.Containers;
using Volt.Workloads.Logs;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Views;

internal sealed class LogsCommand : VoltCommand
{
    internal static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new output until the workload stops (or Ctrl+C)" };
    internal static readonly Option<int?> Tail = new("--tail") { Description = "Only the last N lines", HelpName = "N" };
    internal static readonly Option<string?> Since = new("--since") { Description = "Only lines from this time on: a duration back from now (10m, 1h30m), RFC 3339 or Unix seconds", HelpName = "TIME" };
    internal static readonly Option<string?> Until = new("--until") { Description = "Only lines up to this time (same forms as --since)", HelpName = "TIME" };
    internal static readonly Option<bool> Timestamps = new("--timestamps", "-t") { Description = "Show each line's time (RFC 3339, UTC)" };
    internal static readonly Option<bool> Denials = new("--denials") { Description = "The workload's Landlock denials from the kernel audit log (Landlock ABI 7 with audit on)" };

    public LogsCommand() : base("logs", "Print a workload's output (voltd: /var/log/volt/workloads/NAME.log, one stamped line each; systemd: the journal)")
    {
        Add(ContainerCommands.Name);
        Add(Follow); Add(Tail); Add(Since); Add(Until); Add(Timestamps); Add(Denials);
        Examples =
        [
            "volt logs web",
            "volt logs -f --tail 20 web",
            "volt logs --since 10m --timestamps web",
            "volt logs --since 2026-12-01T10:00:00Z --until 2026-12-01T10:05:00Z web",
            "volt logs --denials web        # Landlock denials (kernel audit); says so where this kernel cannot",
        ];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var engine = ctx.Engines.Containers;
        var store = engine.Records;
        if (parse.GetValue(Denials))
        {
            var cgroup = store.Exists(name) ? Workloads.Runtime.ContainerHost.CgroupName(name)
                : ctx.Engines.ServiceDriver.Find(name) is { } s ? Workloads.Services.ServiceStore.CgroupName(s.Name) : null;
            if (cgroup is null) store.EnsureExists(name);
            var cgroups = ctx.Engines.Cgroups;
            return await Sandbox.SandboxDenials.ShowAsync(ctx, name, cgroups.Exists(cgroup!) ? cgroups.Pids(cgroup!) : [], ct).ConfigureAwait(false);
        }
        var q = Query(ctx, parse);
        // Not a container: a service of that name (workload names are unique across kinds).
        if (!store.Exists(name) && ctx.Engines.ServiceDriver.Find(name) is { } service)
            return await Service.ServiceLogsCommand.ReadAsync(ctx, service.Name, q, ct).ConfigureAwait(false);
        store.EnsureExists(name);
        bool Running()
        {
            try { return engine.View(name).Status == ContainerStatus.Running; }
            catch (Exception e) when (e is Core.Errors.VoltException or IOException) { return false; } // deleted meanwhile
        }

        if (store.State(name).Supervisor == "systemd" && ctx.Engines.SystemdSupervises)
            return await JournalAsync(ctx, Workloads.Nspawn.UnitRenderer.UnitName(name), q, Running, ct).ConfigureAwait(false);

        return await FileAsync(ctx, store.LogFile(name), q, Running, ct).ConfigureAwait(false);
    }

    /// <summary>The query the options ask for (exit 2 for a bad value).</summary>
    internal static LogQuery Query(VoltContext ctx, ParseResult parse)
    {
        var now = ctx.Time.GetUtcNow();
        var tail = parse.GetValue(Tail);
        if (tail < 0) throw Core.Errors.VoltException.Usage("--tail must be 0 or more");
        return new LogQuery(tail,
            parse.GetValue(Since) is { } s ? LogTime.Parse(s, now, "--since") : null,
            parse.GetValue(Until) is { } u ? LogTime.Parse(u, now, "--until") : null,
            parse.GetValue(Timestamps), parse.GetValue(Follow));
    }

    /// <summary>A stamped log file (voltd), followed while <paramref name="running"/> holds.</summary>
    internal static async Task<int> FileAsync(VoltContext ctx, string file, LogQuery q, Func<bool> running, CancellationToken ct)
    {
        var output = ctx.Console.Out;
        try
        {
            await new LogFileReader(ctx.Time).ReadAsync(file, q, running, async text =>
            {
                await output.WriteAsync(text).ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new Core.Errors.VoltException(Core.Errors.ExitCode.Permission,
                $"permission denied: workload logs are readable by root and group {Core.Security.AccessRules.VoltGroup} (docs/security.md)", e);
        }
        return 0;
    }

    /// <summary>journalctl through the one process runner; following ends when the unit's container stops.</summary>
    internal static async Task<int> JournalAsync(VoltContext ctx, string unit, LogQuery q, Func<bool> running, CancellationToken ct)
    {
        var output = ctx.Console.Out;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = q.Follow ? Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && running())
                try { await Task.Delay(TimeSpan.FromMilliseconds(500), ctx.Time, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ctx.Time, CancellationToken.None).ConfigureAwait(false); // the journal's last lines
            stop.Cancel();
        }, CancellationToken.None) : Task.CompletedTask;
        try
        {
            var r = await ctx.Processes.RunAsync("journalctl", JournalQuery.Args(unit, q),
                new ProcessOptions { StdOutLine = q.Follow ? line => { output.WriteLine(line); output.Flush(); } : null }, stop.Token).ConfigureAwait(false);
            if (!q.Follow) output.Write(r.StdOut);
            if (r.ExitCode != 0) ctx.Console.Error.Write(r.StdErr);
            return r.ExitCode;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return 0; } // the container stopped
        catch (OperationCanceledException) { return 0; } // Ctrl+C ends a follow
        finally
        {
            stop.Cancel();
            await watch.ConfigureAwait(false);
        }
    }
}
