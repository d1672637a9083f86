using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.GitOps.Deploy;
using Volt.GitOps.Hosting;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsInstallServiceCommand : VoltCommand
{
    private static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port of the installed server", DefaultValueFactory = _ => 9090 }.AcceptPort();
    private static readonly Option<string> Listen = new("--listen") { Description = "Address the installed server binds", DefaultValueFactory = _ => "0.0.0.0", HelpName = "ADDR" };

    public GitOpsInstallServiceCommand() : base("install-service", "Write the volt-gitops.service systemd unit (then: systemctl enable --now volt-gitops.service)")
    {
        Add(Port); Add(Listen);
        Examples = ["sudo volt gitops install-service", "sudo systemctl enable --now volt-gitops.service"];
    }

    public override string AuditAction => "gitops.install-service";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var exe = Environment.ProcessPath ?? "/usr/local/bin/volt";
        var path = ctx.Paths.Under("/etc/systemd/system/" + ServiceUnit.FileName);
        ctx.AuditResource = path;
        try { AtomicFile.WriteAllText(path, ServiceUnit.Render(exe, parse.GetValue(Port), parse.GetValue(Listen)!, ctx.Paths.IsRelocated ? ctx.Paths.Root : null)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed writing {path}", e); }
        ctx.Out.Line($"Wrote {path}");
        ctx.Out.Line("Enable and start it with: systemctl enable --now volt-gitops.service");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(new JsonObject { ["unit"] = path });
        return Task.FromResult(0);
    }
}

internal sealed class GitOpsRollbackCommand : VoltCommand
{
    private static readonly Option<string?> To = new("--to") { Description = "Commit (or SVN revision) to deploy; default: the last good one before the current", HelpName = "COMMIT" };

    public GitOpsRollbackCommand() : base("rollback", "Redeploy an earlier good commit and pause auto-deploy until 'volt gitops resume'")
    {
        Add(GitOpsCommands.Name); Add(To);
        Examples = ["volt gitops rollback --name web-app", "volt gitops rollback --name web-app --to abc1234", "volt gitops resume --name web-app"];
    }

    public override string AuditAction => "gitops.rollback";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(GitOpsCommands.Name)!;
        ctx.AuditResource = name;
        var deployer = ctx.GitOpsDeployer();
        var store = deployer.Store;
        var p = store.Get(name);
        var target = Resolve(parse.GetValue(To), store.Deployed(name), store.History(name));
        // Pause first, so a push arriving during the rollback cannot undo it.
        store.Save(p with { Paused = true });
        var entry = await deployer.RunAsync(name, new DeployRequest(target, "rollback"), ct).ConfigureAwait(false)
            ?? throw VoltException.NotFound($"pipeline \"{name}\" not found");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(GitOpsViews.Entry(entry));
        if (entry.Status != "success") throw new VoltException(ExitCode.General, $"Rollback of {name} to {GitOpsViews.ShortCommit(target)} failed: {entry.Notes} (auto-deploy stays paused)");
        ctx.Out.Line($"Rolled {name} back to {GitOpsViews.ShortCommit(entry.Commit)}. Auto-deploy is paused: 'volt gitops resume --name {name}' re-enables it.");
        return 0;
    }

    /// <summary>--to (a prefix of a recorded commit is expanded), else the newest successful commit other than the deployed one.</summary>
    private static string Resolve(string? to, string? current, IReadOnlyList<Volt.GitOps.Pipelines.HistoryEntry> history)
    {
        if (to is not null)
            return history.FirstOrDefault(e => e.Commit.StartsWith(to, StringComparison.OrdinalIgnoreCase))?.Commit ?? to;
        return history.FirstOrDefault(e => e.Status == "success" && e.Commit != current)?.Commit
            ?? throw VoltException.NotFound("no earlier successful deploy to roll back to (use --to COMMIT)");
    }
}

internal sealed class GitOpsResumeCommand : VoltCommand
{
    public GitOpsResumeCommand() : base("resume", "Re-enable auto-deploy (webhooks, polling) after a rollback")
    {
        Add(GitOpsCommands.Name);
        Examples = ["volt gitops resume --name web-app"];
    }

    public override string AuditAction => "gitops.resume";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(GitOpsCommands.Name)!;
        ctx.AuditResource = name;
        var store = ctx.Pipelines();
        store.Save(store.Get(name) with { Paused = false });
        ctx.Out.Line($"Pipeline {name} resumed: the next push deploys.");
        return Task.FromResult(0);
    }
}
