using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.GitOps.Pipelines;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsCreateCommand : VoltCommand
{
    private static readonly Option<string> Repo = new("--repo") { Description = "Repository URL (https, ssh, git or svn)", Required = true, HelpName = "URL" };
    private static readonly Option<string> Provider = new("--provider") { Description = "github, gitlab, bitbucket or svn", Required = true, HelpName = "PROVIDER" };
    private static readonly Option<string> Branch = new("--branch") { Description = "Branch to deploy (svn: a label for the tracked path)", DefaultValueFactory = _ => "main", HelpName = "BRANCH" };
    private static readonly Option<string> Workload = new("--workload") { Description = "Workload (container) the pipeline deploys", Required = true, HelpName = "NAME" };
    private static readonly Option<string?> Secret = new("--secret") { Description = "Webhook secret (HMAC key / GitLab token)", HelpName = "SECRET" };
    private static readonly Option<int> PollInterval = new("--poll-interval") { Description = "SVN poll interval in seconds", DefaultValueFactory = _ => 60, HelpName = "SECONDS" };
    private static readonly Option<string?> CloneUrl = new("--clone-url") { Description = "Fetch from this URL instead of --repo (a mirror); webhooks still match --repo", HelpName = "URL" };

    public GitOpsCreateCommand() : base("create", "Create a pipeline linking a repository branch to a workload")
    {
        Add(GitOpsCommands.Name); Add(Repo); Add(Provider); Add(Branch); Add(Workload); Add(Secret); Add(PollInterval); Add(CloneUrl);
        Examples =
        [
            "volt gitops create --name web-app --repo https://github.com/myorg/myapp --provider github --branch main --workload web --secret my-webhook-secret",
            "volt gitops create --name legacy-app --repo svn://svn.example.com/trunk --provider svn --branch trunk --workload legacy-app --poll-interval 60",
        ];
    }

    public override string AuditAction => "gitops.create";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(GitOpsCommands.Name)!;
        ctx.AuditResource = name;
        var provider = parse.GetValue(Provider)!.ToLowerInvariant();
        if (!Providers.All.Contains(provider)) throw VoltException.Usage($"invalid provider \"{provider}\": expected github, gitlab, bitbucket or svn");
        var repo = parse.GetValue(Repo)!;
        var interval = parse.GetValue(PollInterval);
        if (interval <= 0) throw VoltException.Usage($"invalid --poll-interval {interval}: must be at least 1 second");
        if (provider == Providers.Svn && !LooksLikeSvn(repo))
            throw VoltException.Usage($"\"{repo}\" is not an SVN repository URL (svn://, svn+ssh://, file:// or an http(s) SVN path)");
        if (provider != Providers.Svn && repo.StartsWith("svn", StringComparison.OrdinalIgnoreCase))
            throw VoltException.Usage($"\"{repo}\" is an SVN URL: use --provider svn");
        var workload = parse.GetValue(Workload)!;
        Workloads.Containers.ContainerName.Validate(workload);
        var p = new Pipeline
        {
            Name = name, Repo = repo, Provider = provider, Branch = parse.GetValue(Branch)!, Workload = workload,
            Secret = parse.GetValue(Secret) is { Length: > 0 } s ? s : null, PollInterval = interval,
            CloneUrl = parse.GetValue(CloneUrl), Created = ctx.Time.GetUtcNow(),
        };
        ctx.Pipelines().Create(p);
        ctx.Out.Line($"Pipeline {name} created: {repo} ({p.Branch}) → workload {workload}");
        if (p.Secret is null && !p.IsSvn)
            ctx.Out.Warn($"pipeline {name} has no --secret: any HTTP POST to /hooks/{provider} can trigger a deploy");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(GitOpsViews.Pipeline(p));
        return Task.FromResult(0);
    }

    private static bool LooksLikeSvn(string url)
    {
        if (url.StartsWith("svn://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("svn+ssh://", StringComparison.OrdinalIgnoreCase)
            || url.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return true;
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) return false;
        var lower = url.ToLowerInvariant().TrimEnd('/');
        return !lower.EndsWith(".git") && !lower.Contains("github.com") && !lower.Contains("gitlab.com") && !lower.Contains("bitbucket.org");
    }
}
