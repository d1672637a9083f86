using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Compose.Volumes;
using Volt.Rendering;

namespace Volt.Commands.Volume;

/// <summary><c>volt volume …</c>: named volumes, directories under /var/lib/volt/volumes bind-mounted into containers.</summary>
internal static class VolumeCommands
{
    public static readonly Argument<string> Name = new("NAME") { Description = "Volume name" };

    public static Command Group() => new GroupCommand("volume", "Named volumes: /var/lib/volt/volumes/NAME, mounted with --volume NAME's path or by compose",
        new VolumeCreateCommand(), new VolumeListCommand(), new VolumeInspectCommand(), new VolumeRmCommand(), new VolumePruneCommand())
    {
        Examples = ["volt volume create data", "volt volume list", "volt volume inspect data", "volt volume rm data", "volt volume prune"],
    };

    public static JsonObject Row(VolumeRecord v, IReadOnlyList<string> users) => new()
    {
        ["name"] = v.Name, ["mountpoint"] = v.Mountpoint, ["stack"] = v.Stack,
        ["created"] = v.Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ["in_use_by"] = new JsonArray([.. users.Select(u => (JsonNode)u)]),
        ["labels"] = new JsonObject([.. v.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]),
    };
}

internal sealed class VolumeCreateCommand : VoltCommand
{
    private static readonly Option<string[]> Labels = new("--label") { Description = "KEY=VALUE label (repeatable)", HelpName = "KEY=VALUE" };

    public VolumeCreateCommand() : base("create", "Create a named volume (exit 4 if it exists)")
    {
        Add(VolumeCommands.Name); Add(Labels);
        Examples = ["volt volume create data", "volt volume create --label team=db pgdata"];
    }

    public override string AuditAction => "volume.create";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(VolumeCommands.Name)!;
        ctx.AuditResource = name;
        var labels = new Dictionary<string, string>();
        foreach (var l in parse.GetValue(Labels) ?? [])
            labels[l.Split('=')[0]] = l.Contains('=') ? l[(l.IndexOf('=') + 1)..] : "";
        ctx.Engines.Volumes.Create(name, null, labels, mustBeNew: true);
        var v = ctx.Engines.Volumes.Inspect(name);
        ctx.Out.Line($"Created volume \"{name}\" at {v.Mountpoint}.");
        if (ctx.Out.Format != OutputFormat.Table) ctx.Out.Data(VolumeCommands.Row(v, []));
        return Task.FromResult(0);
    }
}

internal sealed class VolumeListCommand : VoltCommand
{
    public VolumeListCommand() : base("list", "List named volumes")
    {
        Aliases.Add("ls");
        Examples = ["volt volume list", "volt volume ls -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = ctx.Engines.Volumes.List().Select(v => VolumeCommands.Row(v, ctx.Engines.VolumeUsers(v.Name))).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("STACK", "stack", n => n?.ToString() ?? "-"), new Column("CREATED", "created"),
            new Column("IN USE BY", "in_use_by", n => n is JsonArray { Count: > 0 } a ? string.Join(",", a.Select(x => (string?)x)) : "-"),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class VolumeInspectCommand : VoltCommand
{
    public VolumeInspectCommand() : base("inspect", "Show a volume: mountpoint, stack, labels, containers using it")
    {
        Add(VolumeCommands.Name);
        Examples = ["volt volume inspect data", "volt volume inspect data -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(VolumeCommands.Name)!;
        ctx.Out.Object(VolumeCommands.Row(ctx.Engines.Volumes.Inspect(name), ctx.Engines.VolumeUsers(name)));
        return Task.FromResult(0);
    }
}

internal sealed class VolumeRmCommand : VoltCommand
{
    private static readonly Argument<string[]> Names = new("NAME") { Description = "Volume name(s)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<bool> Force = new("--force") { Description = "Remove even while a container's config mounts it" };

    public VolumeRmCommand() : base("rm", "Remove volumes and their data (exit 9 while a container uses one)")
    {
        Aliases.Add("delete");
        Add(Names); Add(Force);
        Examples = ["volt volume rm data", "volt volume rm --force data other"];
    }

    public override string AuditAction => "volume.rm";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        foreach (var name in parse.GetValue(Names) ?? [])
        {
            ctx.Engines.Volumes.Remove(name, ctx.Engines.VolumeUsers(name), parse.GetValue(Force));
            ctx.AuditActed.Add(name);
            ctx.Out.Line($"Removed volume \"{name}\".");
        }
        return Task.FromResult(0);
    }
}

internal sealed class VolumePruneCommand : VoltCommand
{
    public VolumePruneCommand() : base("prune", "Remove every volume no container uses")
    {
        Examples = ["volt volume prune"];
    }

    public override string AuditAction => "volume.prune";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var removed = new List<string>();
        foreach (var v in ctx.Engines.Volumes.List())
        {
            if (ctx.Engines.VolumeUsers(v.Name).Count > 0) continue;
            ctx.Engines.Volumes.Remove(v.Name, []);
            removed.Add(v.Name);
            ctx.Out.Line($"Removed volume \"{v.Name}\".");
        }
        ctx.AuditActed.AddRange(removed);
        if (ctx.Out.Format != OutputFormat.Table) ctx.Out.Data(new JsonObject { ["removed"] = new JsonArray([.. removed.Select(r => (JsonNode)r)]) });
        else if (removed.Count == 0) ctx.Out.Line("No unused volumes.");
        return Task.FromResult(0);
    }
}
