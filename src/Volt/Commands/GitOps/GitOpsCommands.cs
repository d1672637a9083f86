using System.CommandLine;
using Volt.Cli;
using Volt.GitOps.Pipelines;

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
            "volt gitops create --name web-app --repo https://github.com/myorg/myapp --provider github --branch main --workload web --secret-file /etc/volt/web-app.secret",
            "volt gitops serve --port 9090",
            "volt gitops status",
            "volt gitops logs --name web-app --limit 50",
        ],
    };

    public static readonly Option<string> Name = new Option<string>("--name") { Description = "Pipeline name", Required = true, HelpName = "NAME" }.Accept(n => PipelineStore.ValidateName(n, "--name"));

    /// <summary>--name, checked (exit 2, one line naming the option) before any path is built from it.</summary>
    public static string PipelineName(this ParseResult parse)
    {
        var name = parse.GetValue(Name)!;
        PipelineStore.ValidateName(name, "--name");
        return name;
    }
}
