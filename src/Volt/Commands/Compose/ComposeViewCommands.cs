using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Compose.Model;
using Volt.Rendering;

namespace Volt.Commands.Compose;

internal sealed class ComposePsCommand : VoltCommand
{
    public ComposePsCommand() : base("ps", "List the stack's instances: service, status (and health), ports, networks")
    {
        Add(ComposeCommands.Services);
        Examples = ["volt compose ps", "volt compose ps db -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, _) = ComposeCommands.Target(ctx, parse);
        var rows = ComposeCommands.Instances(ctx, name, parse.GetValue(ComposeCommands.Services) ?? [], out var state).Select(i => ComposeCommands.Row(ctx, state, i)).ToList();
        ctx.Out.List(rows, [new Column("NAME", "name"), new Column("SERVICE", "service"), new Column("STATUS", "status"), new Column("PORTS", "ports"), new Column("NETWORKS", "networks")]);
        return Task.FromResult(0);
    }
}

internal sealed class ComposeLsCommand : VoltCommand
{
    public ComposeLsCommand() : base("ls", "List stacks: name, status (running instances of all), files")
    {
        Examples = ["volt compose ls", "volt compose ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = ctx.Engines.ComposeState.List().Select(s =>
        {
            var rt = new Composition.Adapters.StackRuntime(ctx.Engines, s.Name);
            var running = s.Instances.Keys.Count(n => rt.Status(n).State == Volt.Compose.Execution.InstanceState.Running);
            return new JsonObject
            {
                ["name"] = s.Name, ["status"] = s.Instances.Count == 0 ? "down" : $"running({running}/{s.Instances.Count})",
                ["files"] = string.Join(",", s.Files),
            };
        }).ToList();
        ctx.Out.List(rows, [new Column("NAME", "name"), new Column("STATUS", "status"), new Column("FILES", "files")]);
        return Task.FromResult(0);
    }
}

internal sealed class ComposeConfigCommand : VoltCommand
{
    private static readonly Option<bool> ServicesOnly = new("--services") { Description = "Only the service names, one a line" };

    public ComposeConfigCommand() : base("config", "Print the resolved stack: files merged, variables interpolated, defaults applied (YAML; -o json)")
    {
        Add(ServicesOnly);
        Examples = ["volt compose config", "volt compose -f compose.yaml -f override.yaml config -o json", "volt compose config --services"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var model = ComposeCommands.Load(ctx, parse);
        if (parse.GetValue(ServicesOnly))
        {
            foreach (var s in model.Workloads.Keys) ctx.Console.Out.WriteLine(s);
            return Task.FromResult(0);
        }
        var tree = ConfigRenderer.Render(model);
        if (ctx.Out.Format == OutputFormat.Json) ctx.Out.Data(tree);
        else ctx.Console.Out.Write(YamlWriter.Write(tree));
        return Task.FromResult(0);
    }
}

internal sealed class ComposeTopCommand : VoltCommand
{
    public ComposeTopCommand() : base("top", "Processes of the stack's running instances")
    {
        Add(ComposeCommands.Services);
        Examples = ["volt compose top", "volt compose top web"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var (name, _) = ComposeCommands.Target(ctx, parse);
        var rows = new List<JsonObject>();
        foreach (var i in ComposeCommands.Instances(ctx, name, parse.GetValue(ComposeCommands.Services) ?? []))
        {
            var cg = ctx.Engines.Containers.Cgroups;
            var group = Workloads.Runtime.ContainerHost.CgroupName(i.Name);
            if (!cg.Exists(group)) continue;
            foreach (var pid in cg.Pids(group))
            {
                var cmd = Workloads.Runtime.ProcFs.Cmdline(pid);
                rows.Add(new JsonObject { ["instance"] = i.Name, ["service"] = i.Service, ["pid"] = pid, ["command"] = string.Join(' ', cmd) });
            }
        }
        ctx.Out.List(rows, [new Column("INSTANCE", "instance"), new Column("SERVICE", "service"), new Column("PID", "pid"), new Column("COMMAND", "command")]);
        return Task.FromResult(0);
    }
}
