using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Runtime;

namespace Volt.Commands.Container;

internal sealed class ContainerExecCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };

    public ContainerExecCommand() : base("exec", "Run a command inside a running container's namespaces; returns its exit code")
    {
        Add(ContainerCommands.Name);
        Add(Command);
        TreatUnmatchedTokensAsErrors = false;
        Examples = ["volt container exec web cat /etc/hostname", "volt container exec web sh -c 'ls /tmp'"];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "container.exec";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var tokens = parse.Tokens.ToList();
        var at = tokens.FindIndex(t => t.Type == System.CommandLine.Parsing.TokenType.Argument && t.Value == name);
        string[] command = [.. tokens.Skip(at + 1).Select(t => t.Value).SkipWhile((t, i) => i == 0 && t == "--")];
        return ContainerExec.RunAsync(ctx.Containers(), name, command, ct);
    }
}

internal sealed class ContainerUpdateCommand : VoltCommand
{
    public ContainerUpdateCommand() : base("update", "Change limits; a running container's cgroup is written at once")
    {
        Add(ContainerCommands.Name);
        Add(ContainerOptions.Memory);
        Add(ContainerOptions.Cpu);
        Add(ContainerOptions.Pids);
        Examples = ["volt container update web --memory 512M", "volt container update web --cpu 150 --pids 200"];
    }

    public override string AuditAction => "container.update";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var engine = ctx.Containers();
        engine.Update(name, parse.GetValue(ContainerOptions.Memory), parse.GetValue(ContainerOptions.Cpu), parse.GetValue(ContainerOptions.Pids));
        ctx.Out.Object(ContainerViews.Inspect(engine.View(name)));
        return Task.FromResult(0);
    }
}
