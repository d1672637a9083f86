using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsCreateCommand : VoltCommand
{
    private static readonly Option<string> Repo = new("--repo") { Description = "Repository URL (https, ssh, git or svn)", Required = true, HelpName = "URL" };
    private static readonly Option<string> Provider = new("--provider") { Description = "github, gitlab, bitbucket or svn", Required = true, HelpName = "PROVIDER" };
    private static readonly Option<string> Branch = new("--branch") { Description = "Branch to deploy (svn: a label for the tracked path)", DefaultValueFactory = _ => "main", HelpName = "BRANCH" };
    private static readonly Option<string> Workload = new("--workload") { Description = "Workload (container) the pipeline deploys", Required = true, HelpName = "NAME" };
    private static readonly Option<string?> Secret = new("--secret") { Description = "Webhook secret (HMAC key / GitLab token); visible in ps and shell history: prefer --secret-file or VOLT_GITOPS_SECRET", HelpName = "SECRET" };
    private static readonly Option<string?> SecretFile = new Option<string?>("--secret-file") { Description = "Read the webhook secret from FILE (first line)", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<bool> InsecureNoSecret = new("--insecure-no-secret") { Description = "Accept unsigned webhooks: anyone who can reach the server can trigger deploys" };
    private static readonly Option<int> PollInterval = new("--poll-interval") { Description = "SVN poll interval in seconds", DefaultValueFactory = _ => 60, HelpName = "SECONDS" };
    private static readonly Option<string?> CloneUrl = new("--clone-url") { Description = "Fetch from this URL instead of --repo (a mirror); webhooks still match --repo", HelpName = "URL" };

    public GitOpsCreateCommand() : base("create", "Create a pipeline linking a repository branch to a workload")
    {
        Add(GitOpsCommands.Name); Add(Repo); Add(Provider); Add(Branch); Add(Workload); Add(Secret); Add(SecretFile); Add(InsecureNoSecret); Add(PollInterval); Add(CloneUrl);
        Examples =
        [
            "volt gitops create --name web-app --repo https://github.com/myorg/myapp --provider github --branch main --workload web --secret-file /etc/volt/web-app.secret",
            "VOLT_GITOPS_SECRET=my-webhook-secret volt gitops create --name api --repo https://gitlab.com/myorg/api --provider gitlab --branch develop --workload api-svc",
            "volt gitops create --name legacy-app --repo svn://svn.example.com/trunk --provider svn --branch trunk --workload legacy-app --poll-interval 60",
        ];
    }

    public override string AuditAction => "gitops.create";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.PipelineName();
        ctx.AuditResource = name;
        var provider = parse.GetValue(Provider)!.ToLowerInvariant();
        if (!Providers.All.Contains(provider)) throw VoltException.Usage($"invalid --provider \"{SourceControl.Shown(provider, 40)}\": expected github, gitlab, bitbucket or svn");
        var repo = parse.GetValue(Repo)!;
        CheckUrl("--repo", repo);
        var cloneUrl = parse.GetValue(CloneUrl);
        if (cloneUrl is not null) CheckUrl("--clone-url", cloneUrl);
        var interval = parse.GetValue(PollInterval);
        if (interval is <= 0 or > 86_400) throw VoltException.Usage($"invalid --poll-interval {interval}: must be 1-86400 seconds");
        if (provider == Providers.Svn && !LooksLikeSvn(repo))
            throw VoltException.Usage($"\"{SourceControl.Shown(repo)}\" is not an SVN repository URL (svn://, svn+ssh://, file:// or an http(s) SVN path)");
        if (provider != Providers.Svn && repo.StartsWith("svn", StringComparison.OrdinalIgnoreCase))
            throw VoltException.Usage($"\"{SourceControl.Shown(repo)}\" is an SVN URL: use --provider svn");
        var branch = parse.GetValue(Branch)!;
        if (provider != Providers.Svn && !GitNames.IsBranch(branch))
            throw VoltException.Usage($"invalid --branch \"{SourceControl.Shown(branch, 40)}\": not a valid git branch name (git check-ref-format --branch)");
        if (provider == Providers.Svn && (branch.Length is 0 or > 255 || branch.Any(char.IsControl)))
            throw VoltException.Usage($"invalid --branch \"{SourceControl.Shown(branch, 40)}\": 1-255 printable characters");
        var workload = parse.GetValue(Workload)!;
        if (!Workloads.Containers.ContainerName.IsValid(workload))
            throw VoltException.Usage($"invalid --workload \"{SourceControl.Shown(workload, 40)}\": use 1-63 of a-z 0-9 _ . - starting with a letter or digit");
        var secret = ReadSecret(ctx, parse);
        var insecure = parse.GetValue(InsecureNoSecret);
        if (provider == Providers.Svn && (secret is not null || insecure))
            throw VoltException.Usage("--secret, --secret-file, VOLT_GITOPS_SECRET and --insecure-no-secret are for webhook providers, not svn (it polls)");
        if (secret is not null && insecure) throw VoltException.Usage("--insecure-no-secret contradicts a secret (--secret, --secret-file or VOLT_GITOPS_SECRET): give one or the other");
        if (provider != Providers.Svn && secret is null && !insecure)
            throw VoltException.Usage($"a {provider} pipeline needs a webhook secret: --secret-file FILE, VOLT_GITOPS_SECRET or --secret (or --insecure-no-secret to accept unsigned webhooks from anyone)");
        var p = new Pipeline
        {
            Name = name, Repo = repo, Provider = provider, Branch = branch, Workload = workload,
            Secret = secret, InsecureNoSecret = insecure, PollInterval = interval,
            CloneUrl = cloneUrl, Created = ctx.Time.GetUtcNow(),
        };
        ctx.Engines.Pipelines.Create(p);
        ctx.Out.Line($"Pipeline {name} created: {repo} ({p.Branch}) → workload {workload}");
        if (insecure)
            ctx.Out.Warn($"pipeline {name} has no secret (--insecure-no-secret): any HTTP POST to /hooks/{provider} can trigger a deploy");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(GitOpsViews.Pipeline(p));
        return Task.FromResult(0);
    }

    /// <summary>Exit 2 for a URL git or svn would take as an option or a command transport (ext::, fd::).</summary>
    private static void CheckUrl(string option, string url)
    {
        if (GitNames.UnsafeRepoUrl(url) is { } why) throw VoltException.Usage($"invalid {option} \"{SourceControl.Shown(url, 60)}\": it {why}");
    }

    /// <summary>--secret, else --secret-file (its first line), else VOLT_GITOPS_SECRET; never echoed.</summary>
    private static string? ReadSecret(VoltContext ctx, ParseResult parse)
    {
        var flag = parse.GetValue(Secret);
        var file = parse.GetValue(SecretFile);
        if (flag is not null && file is not null) throw VoltException.Usage("--secret and --secret-file are exclusive: give one");
        string? secret;
        string source;
        if (flag is not null) { secret = flag; source = "--secret"; }
        else if (file is not null)
        {
            source = "--secret-file";
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists) throw VoltException.NotFound($"--secret-file {SourceControl.Shown(file, 80)} not found");
                if (info.Length > 4096) throw VoltException.Usage($"--secret-file {SourceControl.Shown(file, 80)} is larger than 4 KiB: not a secret file");
                secret = File.ReadAllText(file).Split('\n')[0].TrimEnd('\r');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw VoltException.From($"Failed reading --secret-file {SourceControl.Shown(file, 80)}", e);
            }
        }
        else if (ctx.Env["VOLT_GITOPS_SECRET"] is { Length: > 0 } env) { secret = env; source = "VOLT_GITOPS_SECRET"; }
        else return null;
        if (secret.Length == 0) throw VoltException.Usage($"{source}: the secret is empty");
        if (secret.Length > 1024 || secret.Any(char.IsControl)) throw VoltException.Usage($"{source}: the secret must be 1-1024 characters without control characters");
        return secret;
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
