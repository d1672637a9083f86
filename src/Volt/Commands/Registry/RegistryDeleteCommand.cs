using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Registry.Storage;

namespace Volt.Commands.Registry;

internal sealed class RegistryDeleteCommand : VoltCommand
{
    private static readonly Argument<string> Reference = new("reference") { Description = "REPO (the whole repository), REPO:TAG or REPO@DIGEST" };

    public RegistryDeleteCommand() : base("delete", "Delete a tag, a manifest (and its tags) or a whole repository; 'volt registry gc' frees the bytes")
    {
        Aliases.Add("rm");
        Add(Reference);
        Examples = ["volt registry delete myapp:v1", "volt registry delete myapp@sha256:4f5e…", "volt registry delete myapp && volt registry gc"];
    }

    public override string AuditAction => "registry.delete";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var text = parse.GetValue(Reference)!;
        var (repo, reference) = RegistryStore.ParseReference(text);
        var store = ctx.Engines.RegistryStore;
        string what;
        if (reference is null) what = $"repository {repo} ({store.DeleteRepository(repo)} refs)";
        else
        {
            store.DeleteManifest(repo, reference);
            what = RegistryStore.IsDigestReference(reference) ? $"manifest {repo}@{reference}" : $"tag {repo}:{reference}";
        }
        ctx.Out.Line($"Deleted {what}. Run 'volt registry gc' to free unreferenced bytes.");
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(new JsonObject { ["deleted"] = text });
        return Task.FromResult(0);
    }
}
