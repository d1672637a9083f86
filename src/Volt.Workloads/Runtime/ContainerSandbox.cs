using Volt.Core.Paths;
using Volt.Sandbox;
using Volt.Sandbox.Kernel;
using Volt.Sandbox.Planning;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

/// <summary>
/// A container's sandbox for this start: planned for this kernel's Landlock ABI (strict refuses here, before nspawn
/// runs), written beside the container's records (<c>sandbox.plan</c>, <c>sandbox.json</c> = the report inspect
/// shows). Null for an unconfined container: nspawn runs the payload as it always did.
/// </summary>
internal static class ContainerSandbox
{
    /// <summary>Whether <see cref="Prepare"/> writes a plan (anything but unconfined).</summary>
    public static bool Wanted(ContainerConfig c) => !(c.Sandbox ?? SandboxSpec.Default).IsUnconfined;

    /// <summary>The helper and plan files nspawn binds in, and the report's one-line summary (the audit line's detail).</summary>
    public sealed record Prepared(string Helper, string Plan, string Summary);

    public static Prepared? Prepare(ContainerConfig c, string rootfs, string dir, VoltPaths paths)
    {
        var spec = c.Sandbox ?? SandboxSpec.Default;
        if (spec.IsUnconfined) { SandboxHelper.Clear(dir); return null; }
        // Read-write tmpfs mounts are writable places like volumes (a tmpfs at /cache is outside the default's fs_write).
        var writable = c.Volumes.Where(v => !v.ReadOnly).Select(v => v.Container)
            .Concat(c.Tmpfs.Select(t => t.Split(':', 2)).Where(t => t.Length == 1 || !t[1].Split(',').Contains("ro")).Select(t => t[0])).ToList();
        // A FILE policy's paths are checked in the image (volumes count as there); an image assembled after this
        // point (a detached first run) is checked by the helper itself, which refuses a missing path.
        var assembled = Directory.Exists(rootfs) && Directory.EnumerateFileSystemEntries(rootfs).Any();
        var target = new SandboxTarget(SandboxKind.Container,
            p => !assembled || writable.Contains(p) || SandboxTarget.ProvidedByNspawn(p) || RootfsCheck.Resolve(rootfs, p) is not null, writable);
        var plan = SandboxPlanner.Plan(spec, target, LandlockAbi.Probe(), paths.Etc);
        // Not fsynced: this start reads it, and every later start writes it again first (a crash loses nothing needed).
        return new Prepared(SandboxHelper.Ensure(paths.Lib), SandboxHelper.WritePlan(dir, plan, durable: false), plan.Report.Summary());
    }
}
