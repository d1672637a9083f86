using System.CommandLine;
using Volt.Cli;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;

namespace Volt.Commands.GitOps;

internal static class GitOpsCommands
{
    public static Command Group() => new GroupCommand("gitops", "GitOps pipelines: a push to a branch (or an SVN commit) deploys a workload",
        new GitOpsCreateCommand(), new GitOpsListCommand(), new GitOpsStatusCommand(), new GitOpsLogsCommand(),
        new GitOpsSyncCommand(), new GitOpsRollbackCommand(), new GitOpsResumeCommand(), new GitOpsDeleteCommand(),
        new GitOpsServeCommand(), new GitOpsInstallServiceCommand())
    {
        Examples =
        [
            "volt gitops create --name web-app --repo https://github.com/myorg/myapp --provider github --branch main --workload web --secret s3cret",
            "volt gitops serve --port 9090",
            "volt gitops status",
            "volt gitops logs --name web-app --limit 50",
        ],
    };

    public static readonly Option<string> Name = new Option<string>("--name") { Description = "Pipeline name", Required = true, HelpName = "NAME" }.Accept(PipelineStore.ValidateName);

    public static PipelineStore Pipelines(this VoltContext ctx) => new(ctx.Paths.GitOps);

    public static Deployer GitOpsDeployer(this VoltContext ctx) =>
        new(ctx.Pipelines(), new SourceControl(ctx.Processes), new ContainerWorkloadDeployer(ctx), ctx.Time);
}
