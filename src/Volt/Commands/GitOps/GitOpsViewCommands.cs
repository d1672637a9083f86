using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Rendering;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsListCommand : VoltCommand
{
    public GitOpsListCommand() : base("list", "List pipelines")
    {
        Aliases.Add("ls");
        Examples = ["volt gitops list", "volt gitops list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = ctx.Engines.Pipelines;
        var rows = store.List().Select(p => GitOpsViews.Pipeline(p, store.History(p.Name, 1).FirstOrDefault())).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("REPO", "repo"), new Column("BRANCH", "branch"), new Column("PROVIDER", "provider"),
            new Column("WORKLOAD", "workload"), new Column("SECRET", "secret", n => GitOpsViews.SecretText(n)),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class GitOpsStatusCommand : VoltCommand
{
    public GitOpsStatusCommand() : base("status", "Show whether the webhook server runs, then every pipeline with its last deploy")
    {
        Examples = ["volt gitops status", "volt gitops status -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var store = ctx.Engines.Pipelines;
        var now = ctx.Time.GetUtcNow();
        var pipelines = store.List();
        var rows = pipelines.Select(p => GitOpsViews.Pipeline(p, store.History(p.Name, 1).FirstOrDefault())).ToList();
        var server = GitOpsViews.Server(ctx.Engines.GitOpsServerStateFile, now);
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject { ["server"] = server, ["pipelines"] = new JsonArray([.. rows]) });
            Warnings(ctx, pipelines);
            return Task.FromResult(0);
        }
        ctx.Out.Line(GitOpsViews.ServerLine(server, now));
        ctx.Out.Line("");
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("REPO", "repo"), new Column("BRANCH", "branch"), new Column("PROVIDER", "provider"),
            new Column("LAST DEPLOY", "last_deploy", n => DateTimeOffset.TryParse((string?)n, CultureInfo.InvariantCulture, out var t) ? Human.Ago(t, now) : "never"),
            new Column("STATUS", "status", n => (string?)n is "never deployed" ? "-" : Human.Plain(n)),
        ]);
        Warnings(ctx, pipelines);
        return Task.FromResult(0);
    }

    private static void Warnings(VoltContext ctx, IReadOnlyList<Volt.GitOps.Pipelines.Pipeline> pipelines)
    {
        foreach (var p in pipelines.Where(p => p.Secret is null && !p.IsSvn))
            ctx.Out.Warn($"pipeline {p.Name} has no secret{(p.InsecureNoSecret ? " (--insecure-no-secret)" : "")}: any HTTP POST to /hooks/{p.Provider} can trigger a deploy");
        foreach (var p in pipelines.Where(p => p.Paused))
            ctx.Out.Warn($"pipeline {p.Name} is paused after a rollback: 'volt gitops resume --name {p.Name}' re-enables deploys");
    }
}

internal sealed class GitOpsLogsCommand : VoltCommand
{
    private static readonly Option<int> Limit = new Option<int>("--limit", "-n") { Description = "Show at most N entries (newest first)", DefaultValueFactory = _ => 20, HelpName = "N" }.AcceptInt(1);

    public GitOpsLogsCommand() : base("logs", "Show a pipeline's deploy history, newest first")
    {
        Add(GitOpsCommands.Name); Add(Limit);
        Examples = ["volt gitops logs --name web-app", "volt gitops logs --name web-app --limit 50", "volt gitops logs --name web-app -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.PipelineName();
        var limit = parse.GetValue(Limit);
        if (limit is <= 0 or > 100_000) throw Core.Errors.VoltException.Usage($"invalid --limit {limit}: must be 1-100000");
        var store = ctx.Engines.Pipelines;
        store.Get(name);
        var rows = store.History(name, limit).Select(GitOpsViews.Entry).ToList();
        ctx.Out.List(rows,
        [
            new Column("TIMESTAMP", "timestamp", n => DateTimeOffset.TryParse((string?)n, CultureInfo.InvariantCulture, out var t)
                ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-"),
            new Column("COMMIT", "commit", n => GitOpsViews.ShortCommit((string?)n)),
            new Column("BRANCH", "branch"), new Column("STATUS", "status"),
            new Column("DURATION", "duration_ms", n => GitOpsViews.Duration((long?)n ?? 0)),
            new Column("NOTES", "notes"),
        ]);
        return Task.FromResult(0);
    }
}
