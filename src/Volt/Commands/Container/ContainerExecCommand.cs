using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Runtime;

namespace Volt.Commands.Container;

internal sealed class ContainerExecCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep stdin open (with -t: typed into the terminal)" };
    private static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Allocate a terminal inside the container (a /dev/pts of its own), as run -it" };
    private static readonly Option<string?> User = new("--user", "-u") { Description = "Run as NAME, UID, NAME:GROUP or UID:GID (from the container's /etc/passwd)", HelpName = "USER" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "Set KEY=VALUE (KEY alone: this shell's value); repeatable", HelpName = "KEY=VALUE", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container", HelpName = "DIR" }.AcceptPath();
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Start in the background and return at once (output discarded)" };

    public ContainerExecCommand() : base("exec", "Run a command inside a running container's namespaces; returns its exit code")
    {
        Add(ContainerCommands.Name);
        Add(Command);
        Add(Interactive); Add(Tty); Add(User); Add(Env); Add(Workdir); Add(Detach);
        Examples =
        [
            "volt container exec web cat /etc/hostname",
            "volt container exec -it web /bin/sh",
            "volt container exec -u nobody -w /tmp -e MODE=debug web sh -c 'id -u; pwd; echo $MODE'",
            "volt container exec -d web sleep 600   # returns at once",
        ];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "container.exec";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var options = new ExecOptions(parse.GetValue(Command) ?? [],
            User: parse.GetValue(User), Env: parse.GetValue(Env), Workdir: parse.GetValue(Workdir),
            Detach: parse.GetValue(Detach), Interactive: parse.GetValue(Interactive), Tty: parse.GetValue(Tty));
        return ContainerExec.RunAsync(ctx.Engines.Containers, name, options, ct);
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
        var engine = ctx.Engines.Containers;
        engine.Update(name, parse.GetValue(ContainerOptions.Memory), parse.GetValue(ContainerOptions.Cpu), parse.GetValue(ContainerOptions.Pids));
        ctx.Out.Object(ContainerViews.Inspect(engine.View(name)));
        return Task.FromResult(0);
    }
}
