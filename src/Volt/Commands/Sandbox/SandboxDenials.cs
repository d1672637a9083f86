using System.Text.RegularExpressions;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Sandbox;
using Volt.Sandbox.Kernel;

namespace Volt.Commands.Sandbox;

/// <summary>
/// <c>volt logs --denials NAME</c>: the workload's Landlock denials from the kernel audit log (Landlock ABI 7 logs
/// them there, with the exec'd payload's denials switched on by the helper). A <c>LANDLOCK_DOMAIN</c> record names the
/// process that restricted itself (the helper, i.e. the payload's PID); the workload's domains are the ones whose PID
/// is in its cgroup, and its denials the <c>LANDLOCK_ACCESS</c> records of those domains. Where the kernel cannot log
/// them (ABI below 7, audit disabled) it says so instead of printing nothing.
/// </summary>
internal static partial class SandboxDenials
{
    public static async Task<int> ShowAsync(VoltContext ctx, string name, IReadOnlyCollection<int> pids, CancellationToken ct)
    {
        var abi = LandlockAbi.Probe();
        if (abi < 7)
            throw new VoltException(ExitCode.Dependency, $"cannot show Landlock denials on this kernel: Landlock {LandlockAbi.Describe(abi)} has no audit logging (needs ABI 7)");
        var (enabled, pid, error) = await SandboxHelper.AuditStatusAsync(ctx.Paths.Lib, ctx.Processes, ct).ConfigureAwait(false);
        if (error is not null)
            throw new VoltException(ExitCode.Dependency, $"cannot show Landlock denials: the kernel audit status cannot be read ({error})");
        if (enabled == 0)
            throw new VoltException(ExitCode.Dependency, "cannot show Landlock denials on this host: kernel audit is disabled, so Landlock (ABI 7) logs none " +
                "(enable it: auditctl -e 1, or boot with audit=1; then start the workload again)");
        var lines = pid > 0 && File.Exists("/var/log/audit/audit.log")
            ? await File.ReadAllLinesAsync("/var/log/audit/audit.log", ct).ConfigureAwait(false)
            : (await ctx.Processes.RunAsync("dmesg", [], ct: ct).ConfigureAwait(false)).StdOut.Split('\n');
        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in lines)
            if (Domain().Match(l) is { Success: true } m && pids.Contains(int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
                domains.Add(m.Groups[1].Value);
        var shown = 0;
        foreach (var l in lines)
            if (Access().Match(l) is { Success: true } m && domains.Contains(m.Groups[1].Value)) { ctx.Out.Line(l.Trim()); shown++; }
        if (shown == 0) ctx.Out.Warn($"no Landlock denials logged for \"{name}\" (audit is on; its domains: {(domains.Count == 0 ? "none found" : string.Join(", ", domains))})");
        return 0;
    }

    [GeneratedRegex(@"(?:LANDLOCK_DOMAIN|type=1424).*domain=([0-9a-f]+) status=allocated.* pid=(\d+)")]
    private static partial Regex Domain();

    [GeneratedRegex(@"(?:LANDLOCK_ACCESS|type=1423).*domain=([0-9a-f]+)")]
    private static partial Regex Access();
}
