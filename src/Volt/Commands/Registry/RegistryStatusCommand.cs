using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.IO;
using Volt.Rendering;
using Volt.Registry.Hosting;

namespace Volt.Commands.Registry;

internal sealed class RegistryStatusCommand : VoltCommand
{
    public RegistryStatusCommand() : base("status", "Show whether the registry runs, its request counters, repositories and upload sessions")
    {
        Examples = ["volt registry status", "volt registry status -o json"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var options = ctx.Engines.RegistryOptions();
        var snap = StatusFile.TryRead(options.StatusFile);
        var running = snap is not null && Posix.ProcessExists(snap.Pid);
        var store = ctx.Engines.RegistryStore;
        var repos = store.Summaries();
        var human = ctx.Out.Format == OutputFormat.Table;
        JsonNode Bytes(long b) => human ? Human.Bytes(b) : b;
        var obj = new JsonObject
        {
            ["state"] = running ? "running" : "stopped",
            ["address"] = running ? snap!.Address : null,
            ["pid"] = running ? snap!.Pid : null,
            ["started"] = snap?.Started.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["repositories"] = repos.Count,
            ["tags"] = repos.Sum(r => r.Tags.Count),
            ["manifests"] = repos.Sum(r => r.Manifests),
            ["upload_sessions"] = store.Uploads.Count,
            ["anonymous_pull"] = options.AnonymousPull,
        };
        if (snap is not null)
        {
            obj["requests"] = new JsonObject
            {
                ["total"] = snap.Requests, ["2xx"] = snap.Status2xx, ["3xx"] = snap.Status3xx, ["4xx"] = snap.Status4xx, ["5xx"] = snap.Status5xx,
            };
            obj["bytes_in"] = Bytes(snap.BytesIn);
            obj["bytes_out"] = Bytes(snap.BytesOut);
            obj["uploads"] = new JsonObject { ["started"] = snap.UploadsStarted, ["completed"] = snap.UploadsCompleted, ["expired"] = snap.UploadsExpired };
            obj["counters_updated"] = snap.Updated.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        }
        ctx.Out.Object(obj);
        return Task.FromResult(0);
    }
}
