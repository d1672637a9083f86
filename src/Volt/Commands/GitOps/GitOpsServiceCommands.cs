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
    private static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port of the installed server (1-65535)", DefaultValueFactory = _ => ServeSettings.DefaultPort }.AcceptPort();
    private static readonly Option<string> Listen = new("--listen") { Description = "IP address the installed server binds", DefaultValueFactory = _ => ServeSettings.DefaultListen, HelpName = "ADDR" };

    public GitOpsInstallServiceCommand() : base("install-service", "Write the volt-gitops.service unit: systemd runs it where it is PID 1, voltd elsewhere (volt service start volt-gitops)")
    {
        Add(Port); Add(Listen);
        Examples =
        [
            "sudo volt gitops install-service && volt service start volt-gitops",
            "sudo volt gitops install-service --port 9090 --listen 127.0.0.1",
            "volt service edit volt-gitops   # change the port later",
            "sudo systemctl enable --now volt-gitops.service   # where systemd is PID 1",
        ];
    }

    public override string AuditAction => "gitops.install-service";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var port = parse.GetValue(Port);
        var listen = parse.GetValue(Listen)!;
        ServeSettings.Validate(port, listen); // the same check serve makes: the unit never holds what serve refuses
        var text = Workloads.Services.VoltUnits.Server(Workloads.Services.VoltUnits.GitOps, "Volt GitOps webhook server and SVN poller",
            [Service.VoltServiceInstaller.Executable, "gitops", "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--listen", listen],
            ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        return Service.VoltServiceInstaller.InstallAsync(ctx, Workloads.Services.VoltUnits.GitOps, text, ct);
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
        var name = parse.PipelineName();
        ctx.AuditResource = name;
        var deployer = ctx.Engines.GitOpsDeployer();
        var store = deployer.Store;
        var p = store.Get(name);
        var to = parse.GetValue(To);
        if (to is not null && !(p.IsSvn ? Volt.GitOps.Sources.GitNames.IsSvnRevision(to) : Volt.GitOps.Sources.GitNames.IsCommitPrefix(to)))
            throw VoltException.Usage($"invalid --to \"{Volt.GitOps.Sources.SourceControl.Shown(to, 40)}\": expected {(p.IsSvn ? "an SVN revision number" : "a commit id (4-64 hex digits)")}");
        var target = Resolve(to, store.Deployed(name), store.History(name));
        // Pause first, so a push arriving during the rollback cannot undo it.
        store.Save(p with { Paused = true });
        var entry = await deployer.RunAsync(name, new DeployRequest(target, "rollback"), ct).ConfigureAwait(false)
            ?? throw VoltException.NotFound($"pipeline \"{name}\" not found");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(GitOpsViews.Entry(entry));
        if (entry.Status != "success") throw new VoltException(entry.InvalidConfig ? ExitCode.InvalidConfig : ExitCode.General, $"Rollback of {name} to {GitOpsViews.ShortCommit(target)} failed: {entry.Notes} (auto-deploy stays paused)");
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
        var name = parse.PipelineName();
        ctx.AuditResource = name;
        var store = ctx.Engines.Pipelines;
        store.Save(store.Get(name) with { Paused = false });
        ctx.Out.Line($"Pipeline {name} resumed: the next push deploys.");
        return Task.FromResult(0);
    }
}
