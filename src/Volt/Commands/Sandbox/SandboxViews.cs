using System.Text.Json.Nodes;
using Volt.Sandbox;
using Volt.Sandbox.Planning;

namespace Volt.Commands.Sandbox;

/// <summary>The <c>sandbox</c> object of inspect/status: what was asked for, and the last start's requested/enforced/dropped.</summary>
internal static class SandboxViews
{
    public static JsonObject Of(SandboxSpec? spec, string? dir)
    {
        spec ??= SandboxSpec.Default;
        var o = Spec(spec);
        if (spec.IsUnconfined) { o["summary"] = "sandbox unconfined"; return o; }
        var report = dir is null ? null : SandboxHelper.ReadReport(dir);
        if (report is not null) Report(o, report);
        return o;
    }

    /// <summary>The audit line's words for a start of <paramref name="spec"/> on this kernel (null when it would be refused).</summary>
    public static string? Summary(SandboxSpec? spec, SandboxKind kind, string etc)
    {
        spec ??= SandboxSpec.Default;
        if (spec.IsUnconfined) return "sandbox unconfined";
        try { return SandboxPlanner.Plan(spec, new SandboxTarget(kind, _ => true), Volt.Sandbox.Kernel.LandlockAbi.Probe(), etc).Report.Summary(); }
        catch (Volt.Core.Errors.VoltException) { return null; }
    }

    public static JsonObject Spec(SandboxSpec spec) => new()
    {
        ["mode"] = spec.IsUnconfined ? "unconfined" : spec.Mode == SandboxMode.Strict ? "strict" : "best-effort",
        ["landlock"] = spec.Landlock,
        ["seccomp"] = spec.Seccomp,
        ["cap_add"] = Strings(spec.CapAdd),
        ["cap_drop"] = Strings(spec.CapDrop),
    };

    public static JsonObject Report(JsonObject o, SandboxReport r)
    {
        o["summary"] = r.Summary();
        o["landlock_abi"] = r.Abi;
        o["requested"] = Strings(r.Requested);
        o["enforced"] = Strings(r.Enforced);
        o["dropped"] = new JsonArray([.. r.Dropped.Select(d => (JsonNode)new JsonObject { ["right"] = d.Right, ["why"] = d.Why, ["needs_abi"] = d.NeedsAbi })]);
        o["capabilities"] = Strings(r.Capabilities);
        o["no_new_privs"] = r.NoNewPrivs;
        o["seccomp_denied_syscalls"] = r.SeccompDenied;
        o["notes"] = Strings(r.Notes);
        return o;
    }

    private static JsonArray Strings(IEnumerable<string> xs) => new([.. xs.Select(x => (JsonNode)x!)]);
}
