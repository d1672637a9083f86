using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Core.Native;
using Volt.Ingress.Proxy;
using Volt.Ingress.Routes;
using Volt.Rendering;

namespace Volt.Commands.Ingress;

internal sealed class IngressListCommand : VoltCommand
{
    public IngressListCommand() : base("list", "List routes in resolution order per host")
    {
        Aliases.Add("ls");
        Examples = ["volt ingress list", "volt ingress list -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var rows = ctx.Engines.IngressRoutes.List().Select(IngressCommands.View).ToList();
        ctx.Out.List(rows,
        [
            new Column("NAME", "name"), new Column("HOSTNAME", "hostname"), new Column("PATH", "path", n => (string?)n ?? "-"),
            new Column("BACKENDS", "backends", n => string.Join(",", n!.AsArray().Select(x => (string?)x))), new Column("TLS", "tls"),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class IngressInspectCommand : VoltCommand
{
    public IngressInspectCommand() : base("inspect", "Show one route with its backends resolved now")
    {
        Add(IngressCommands.Name);
        Examples = ["volt ingress inspect --name web", "volt ingress inspect --name web -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var r = ctx.Engines.IngressRoutes.Get(RouteSyntax.Name(parse.GetValue(IngressCommands.Name)!));
        var view = IngressCommands.View(r);
        view["resolved"] = new JsonArray([.. ctx.Engines.IngressBackends.Resolve(r.Backends).Select(e => (JsonNode)e)]);
        ctx.Out.Object(view);
        return Task.FromResult(0);
    }
}

internal sealed class IngressDeleteCommand : VoltCommand
{
    public IngressDeleteCommand() : base("delete", "Remove a route; a running proxy drops it at once (requests in flight finish)")
    {
        Aliases.Add("rm");
        Add(IngressCommands.Name);
        Examples = ["volt ingress delete --name web"];
    }

    public override string AuditAction => "ingress.delete";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = RouteSyntax.Name(parse.GetValue(IngressCommands.Name)!);
        ctx.AuditResource = name;
        ctx.Engines.IngressRoutes.Delete(name);
        ctx.Out.Line($"Route {name} deleted.");
        return Task.FromResult(0);
    }
}

internal sealed class IngressStatusCommand : VoltCommand
{
    public IngressStatusCommand() : base("status", "Show whether the proxy runs (addresses, reload generation, certificates) and the routes it serves")
    {
        Examples = ["volt ingress status", "volt ingress status -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var state = IngressRuntime.Running(ctx.Engines.IngressServerStateFile);
        var routes = ctx.Engines.IngressRoutes.List();
        var server = state is null ? new JsonObject { ["running"] = false } : new JsonObject
        {
            ["running"] = true, ["pid"] = state.Pid, ["http"] = state.Http, ["https"] = state.Https, ["generation"] = state.Generation,
            ["routes"] = state.Routes, ["certificates"] = new JsonArray([.. state.Certificates.Select(c => (JsonNode)c)]), ["updated"] = state.Updated.ToString("O"),
        };
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject { ["server"] = server, ["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)IngressCommands.View(r))]) });
            return Task.FromResult(0);
        }
        ctx.Out.Line(state is null ? "Ingress: not running (volt ingress serve, or volt service start volt-ingress)"
            : $"Ingress: running (pid {state.Pid}) on {state.Http} and {state.Https}, generation {state.Generation}, {state.Routes} route(s), certificates for {(state.Certificates.Count == 0 ? "none" : string.Join(", ", state.Certificates))}");
        ctx.Out.Line("");
        ctx.Out.List([.. routes.Select(IngressCommands.View)],
        [
            new Column("NAME", "name"), new Column("HOSTNAME", "hostname"), new Column("PATH", "path", n => (string?)n ?? "-"),
            new Column("BACKENDS", "backends", n => string.Join(",", n!.AsArray().Select(x => (string?)x))), new Column("TLS", "tls"),
        ]);
        return Task.FromResult(0);
    }
}

internal sealed class IngressReloadCommand : VoltCommand
{
    public IngressReloadCommand() : base("reload", "Check every route (all at once) and make the running proxy load them: new connections use them, in-flight ones finish")
    {
        Examples = ["volt ingress reload", "kill -HUP $(jq .pid /var/run/volt/ingress-serve.json)   # the same"];
    }

    public override string AuditAction => "ingress.reload";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var routes = ctx.Engines.IngressRoutes.LoadAll(); // exit 12 with every problem: the proxy would refuse them too
        var state = IngressRuntime.Running(ctx.Engines.IngressServerStateFile);
        if (state is null)
        {
            ctx.Out.Line($"{routes.Count} route(s) valid; no ingress is running (they load when it starts).");
            return Task.FromResult(0);
        }
        if (LibC.kill(state.Pid, Signals.SIGHUP) != 0)
            throw new VoltException(ExitCode.Daemon, $"cannot signal the ingress (pid {state.Pid}): errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        ctx.Out.Line($"{routes.Count} route(s) valid; ingress (pid {state.Pid}) reloading.");
        return Task.FromResult(0);
    }
}

/// <summary>The running proxy, from its state file, if its process is alive.</summary>
internal static class IngressRuntime
{
    public static IngressServerState? Running(string stateFile)
    {
        var s = IngressServerState.TryRead(stateFile);
        if (s is null) return null;
        return LibC.kill(s.Pid, 0) == 0 || System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == 1 /* EPERM: alive */ ? s : null;
    }
}
