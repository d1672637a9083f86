using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Health;

namespace Volt.Commands.Container;

internal static class ContainerHealthcheckCommands
{
    public static Command Group() => new GroupCommand("healthcheck", "Container health checks", new ContainerHealthcheckRunCommand())
    {
        Examples = ["volt container healthcheck run web"],
    };
}

/// <summary>
/// Runs the container's health check once now, records the result (the systemd timer's service runs this) and exits 0
/// when the check passed, 1 when it failed; 9 when the container is not running, 12 when it has no health check.
/// </summary>
internal sealed class ContainerHealthcheckRunCommand : VoltCommand
{
    public ContainerHealthcheckRunCommand() : base("run", "Run a container's health check now: exit 0 if it passes, 1 if it fails")
    {
        Add(ContainerCommands.Name);
        Examples = ["volt container healthcheck run web && echo healthy", "volt container healthcheck run web -o json"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var (result, state) = await new HealthChecker(ctx.Engines.Containers, ctx.Time).RunAsync(name, ct).ConfigureAwait(false);
        ctx.Out.Object(ContainerViews.HealthResult(name, result, state));
        return result.ExitCode == 0 ? 0 : 1;
    }
}
