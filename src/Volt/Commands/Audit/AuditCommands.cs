using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Audit;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Rendering;

namespace Volt.Commands.Audit;

internal static class AuditCommands
{
    public static Command Group() => new GroupCommand("audit", "Inspect and verify the audit trail", new AuditShowCommand(), new AuditVerifyCommand())
    {
        Examples = ["volt audit show --action cas.gc --since 24h", "volt audit verify"],
    };
}

internal sealed class AuditShowCommand : VoltCommand
{
    private static readonly Option<string?> ActionFilter = new("--action") { Description = "Only this action (prefix match: 'cas' matches cas.build, cas.gc …)" };
    private static readonly Option<string?> Since = new("--since") { Description = "Only entries newer than a duration ago (30m, 24h, 7d) or an ISO time" };
    private static readonly Option<int?> Limit = new Option<int?>("--limit", "-n") { Description = "Show only the last N entries" }.AcceptInt(0);

    public AuditShowCommand() : base("show", "Show audit log entries")
    {
        Add(ActionFilter); Add(Since); Add(Limit);
        Examples = ["volt audit show", "volt audit show --action cas --since 2h", "volt audit show -n 20 -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var action = parse.GetValue(ActionFilter);
        var since = ParseSince(parse.GetValue(Since), ctx.Time.GetUtcNow());
        var rows = new List<JsonObject>();
        var path = ctx.Paths.AuditLog;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length == 0) continue;
                JsonObject? obj;
                try { obj = JsonNode.Parse(line) as JsonObject; }
                catch (JsonException) { continue; }
                if (obj is null) continue;
                var a = (string?)obj["action"] ?? "";
                if (action is not null && !(a == action || a.StartsWith(action + ".", StringComparison.Ordinal))) continue;
                if (since is not null && DateTimeOffset.TryParse((string?)obj["timestamp"], out var ts) && ts < since) continue;
                rows.Add(obj);
            }
        }
        if (parse.GetValue(Limit) is { } n && n >= 0 && rows.Count > n) rows = rows[^n..];
        ctx.Out.List(rows,
        [
            new Column("TIMESTAMP", "timestamp"), new Column("USER", "user"), new Column("ACTION", "action"),
            new Column("RESOURCE", "resource"), new Column("RESULT", "result"), new Column("ERROR", "error"),
        ]);
        return Task.FromResult(0);
    }

    internal static DateTimeOffset? ParseSince(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DurationParser.TryParse(text, out var d)) return now - d;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
        throw VoltException.Usage($"invalid --since \"{text}\": expected a duration (30m, 24h, 7d) or a time (2025-07-12T14:00:00Z)");
    }
}

internal sealed class AuditVerifyCommand : VoltCommand
{
    public AuditVerifyCommand() : base("verify", "Check the audit log's hash chain for edited, inserted or removed lines")
    {
        Examples = ["volt audit verify", "volt audit verify -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var result = AuditVerifier.Verify(ctx.Audit);
        if (ctx.Out.Format != OutputFormat.Table)
        {
            ctx.Out.Data(new JsonObject
            {
                ["path"] = ctx.Paths.AuditLog,
                ["lines"] = result.Lines,
                ["ok"] = result.Ok,
                ["problems"] = new JsonArray([.. result.Problems.Select(p => (JsonNode)new JsonObject { ["line"] = p.Line, ["problem"] = p.Problem })]),
            });
        }
        else if (result.Ok)
        {
            ctx.Out.Line($"{ctx.Out.Palette.Good("ok")}: {result.Lines} entries, hash chain intact ({ctx.Paths.AuditLog})");
        }
        else
        {
            foreach (var p in result.Problems) ctx.Console.Out.WriteLine($"line {p.Line}: {p.Problem}");
        }
        if (result.Ok) return Task.FromResult(0);
        throw new VoltException(ExitCode.General, $"audit log \"{ctx.Paths.AuditLog}\" failed verification: {result.Problems.Count} problem(s)");
    }
}
