using System.Collections.Concurrent;
using Volt.Core.IO;
using Volt.Sandbox.Policy;
using Volt.Sandbox.Seccomp;

namespace Volt.Sandbox.Planning;

/// <summary>
/// The last plan of each host sandbox (a service's every start, a task's every run plan the same one), reused while
/// every file-system fact it was made from is as it was: the named profile's file, each directory walked to leave the
/// host's secrets out (an entry added or removed moves its mtime and ctime) and each secret's existence — one statx
/// per fact instead of reading the profile, listing <c>/</c>, <c>/etc</c>, <c>/var</c>… and compiling seccomp again.
/// A plan is kept only when all its facts are settled (ctime seconds old, git's "racily clean" rule, as
/// <see cref="SandboxHelper.Ensure"/> does): a change in the same clock tick as the planning is planned again next time.
/// Policy FILEs (a path given to <c>--landlock</c>/<c>--seccomp</c>) and container targets are planned every time.
/// </summary>
/// <param name="settled">Whether a fact's stat can vouch for it later (tests pass one that always says yes).</param>
public sealed class SandboxPlanCache(Func<FileStat, bool>? settled = null)
{
    public static readonly SandboxPlanCache Shared = new();

    private readonly Func<FileStat, bool> _settled = settled ?? SandboxHelper.Settled;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(PlannedSandbox Planned, (string Path, FileStat? Stat)[] Facts);

    /// <summary>How many plans were made rather than reused (tests read it).</summary>
    public int Planned => Volatile.Read(ref _planned);
    private int _planned;

    public PlannedSandbox Plan(SandboxSpec spec, SandboxKind kind, int abi, string etc)
    {
        var target = SandboxTarget.Host(kind);
        if (LandlockProfiles.IsFile(spec.Landlock) || SeccompProfiles.IsFile(spec.Seccomp))
        {
            Interlocked.Increment(ref _planned);
            return PlannedSandbox.Of(SandboxPlanner.Plan(spec, target, abi, etc));
        }
        var key = string.Join('\n', spec.Landlock, spec.Seccomp, string.Join(',', spec.CapAdd), string.Join(',', spec.CapDrop),
            spec.Mode.ToString(), kind.ToString(), abi.ToString(System.Globalization.CultureInfo.InvariantCulture), etc);
        if (_entries.TryGetValue(key, out var hit) && hit.Facts.All(f => StatOf(f.Path) == f.Stat)) return hit.Planned;
        Interlocked.Increment(ref _planned);
        var touched = new List<string>();
        var plan = PlannedSandbox.Of(SandboxPlanner.Plan(spec, target, abi, etc, touched));
        var facts = touched.Distinct(StringComparer.Ordinal).Select(p => (p, StatOf(p))).ToArray();
        if (facts.All(f => f.Item2 is not { } st || _settled(st))) _entries[key] = new Entry(plan, facts);
        else _entries.TryRemove(key, out _);
        return plan;
    }

    private static FileStat? StatOf(string path) => FileStat.TryStat(path, out var st) ? st : null;
}

/// <summary>A plan with its plan file's bytes and its report's JSON, rendered once.</summary>
public sealed record PlannedSandbox(SandboxPlan Plan, byte[] Text, byte[] Report)
{
    public static PlannedSandbox Of(SandboxPlan plan) => new(plan, System.Text.Encoding.UTF8.GetBytes(plan.Render()),
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(plan.Report, SandboxJson.Default.SandboxReport));
}
