using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.GitOps.Deploy;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsSyncCommand : VoltCommand
{
    public GitOpsSyncCommand() : base("sync", "Deploy the branch head (or latest SVN revision) now, without waiting for a webhook")
    {
        Add(GitOpsCommands.Name);
        Examples = ["volt gitops sync --name web-app"];
    }

    public override string AuditAction => "gitops.sync";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.PipelineName();
        ctx.AuditResource = name;
        var deployer = ctx.Engines.GitOpsDeployer();
        deployer.Store.Get(name);
        var entry = await deployer.RunAsync(name, new DeployRequest(null, "manual sync"), ct).ConfigureAwait(false)
            ?? throw VoltException.NotFound($"pipeline \"{name}\" not found");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(GitOpsViews.Entry(entry));
        if (entry.Status != "success")
            throw new VoltException(entry.InvalidConfig ? ExitCode.InvalidConfig : ExitCode.General, $"Deploy of {name} at {GitOpsViews.ShortCommit(entry.Commit)} failed: {entry.Notes}");
        ctx.Out.Line($"Deployed {name} at {GitOpsViews.ShortCommit(entry.Commit)} in {GitOpsViews.Duration(entry.DurationMs)}");
        return 0;
    }
}

internal sealed class GitOpsDeleteCommand : VoltCommand
{
    public GitOpsDeleteCommand() : base("delete", "Delete a pipeline and its history (the deployed workload keeps running)")
    {
        Aliases.Add("rm");
        Add(GitOpsCommands.Name);
        Examples = ["volt gitops delete --name web-app"];
    }

    public override string AuditAction => "gitops.delete";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.PipelineName();
        ctx.AuditResource = name;
        ctx.Engines.Pipelines.Delete(name);
        ctx.Out.Line($"Pipeline {name} deleted.");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(new JsonObject { ["deleted"] = name });
        return Task.FromResult(0);
    }
}
