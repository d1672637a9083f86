using System.Text.Json.Serialization;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Processes;
using Volt.Sandbox.Planning;

namespace Volt.Sandbox;

/// <summary>
/// The payload helper (Helper/volt-sandbox.c, static, embedded in this assembly): written to
/// <c>/var/lib/volt/lib/volt-sandbox</c> at first use (again when the embedded one differs), and the plan files it
/// reads. Containers bind both read-only into the container's /run; services and <c>volt sandbox run</c> run it on the host.
/// </summary>
public static class SandboxHelper
{
    /// <summary>Where the helper and the plan appear inside a container (nspawn's /run is a fresh tmpfs).</summary>
    public const string ContainerPath = "/run/.volt-sandbox";
    public const string ContainerPlanPath = "/run/.volt-sandbox.plan";

    private static byte[]? _embedded;

    public static byte[] Embedded()
    {
        if (_embedded is not null) return _embedded;
        using var s = Resource();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return _embedded = ms.ToArray();
    }

    private static Stream Resource() => typeof(SandboxHelper).Assembly.GetManifestResourceStream("volt-sandbox")
        ?? throw new VoltException(ExitCode.Dependency, "this volt binary was built without its sandbox helper");

    /// <summary>
    /// Whether <paramref name="file"/> holds exactly the embedded helper, compared in pieces against the resource as
    /// the binary maps it: no copy of either (two 800 KB arrays at every start of a short-lived CLI before).
    /// </summary>
    private static bool SameAsEmbedded(string file)
    {
        using var resource = Resource();
        using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        if (f.Length != resource.Length) return false;
        var mine = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        var theirs = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (true)
            {
                var n = f.ReadAtLeast(mine.AsSpan(0, 1 << 16), 1 << 16, throwOnEndOfStream: false);
                if (n == 0) return resource.ReadByte() < 0;
                resource.ReadExactly(theirs, 0, n);
                if (!mine.AsSpan(0, n).SequenceEqual(theirs.AsSpan(0, n))) return false;
            }
        }
        catch (EndOfStreamException) { return false; }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(mine);
            System.Buffers.ArrayPool<byte>.Shared.Return(theirs);
        }
    }

    /// <summary>The helper's host path under <paramref name="lib"/> (<c>/var/lib/volt</c>), written when missing or stale.</summary>
    public static string Ensure(string lib)
    {
        var file = Path.Combine(lib, "lib", "volt-sandbox");
        // A process that launches many workloads (voltd, a stack's up) compares the 800 KB file once per change of it:
        // the same inode, size, mode, mtime and ctime is the file it compared (any write or replacement moves ctime).
        if (_verified is { } v && v.File == file && FileStat.TryLStat(file, out var now) && now == v.Stat) return file;
        try
        {
            var before = FileStat.LStat(file);
            if (SameAsEmbedded(file))
            {
                _verified = Settled(before) ? new Verified(file, before) : null;
                return file;
            }
        }
        catch (IOException) { /* missing: written below */ }
        var bytes = Embedded();
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        // Unique per call: a stack starts services in parallel in one process, each may install the helper.
        var tmp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(tmp, bytes);
        File.SetUnixFileMode(tmp, (UnixFileMode)0x1ED /* 0755 */);
        File.Move(tmp, file, overwrite: true);
        _verified = null;
        return file;
    }

    private sealed record Verified(string File, FileStat Stat);
    private static volatile Verified? _verified;

    /// <summary>
    /// Whether a stat of the file can vouch for its content later: its ctime is seconds old. The kernel stamps times
    /// from a coarse clock, so a write in the same tick as the compare could leave every field as it was (git's "racily
    /// clean" entries); a file changed that recently is compared again at the next call.
    /// </summary>
    internal static bool Settled(FileStat st) => UnixSecondsNow() - st.CTimeSec >= 2;

    /// <summary>The clock <see cref="Settled"/> reads (tests move it on instead of waiting).</summary>
    internal static Func<long> UnixSecondsNow = () => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Writes the plan (and its report beside it, <c>sandbox.json</c>) into <paramref name="dir"/>; returns the plan file.</summary>
    /// <param name="durable">
    /// False where every start writes the plan again before the helper reads it (containers: the runtime plans each
    /// launch; services and tasks: <see cref="SandboxRequest.Wrap(string, SandboxKind)"/> at each launch), so no crash can leave a reader
    /// with a lost write: atomic (rename) without the file and directory fsyncs.
    /// </param>
    public static string WritePlan(string dir, SandboxPlan plan, bool durable = true) => WritePlan(dir, PlannedSandbox.Of(plan), durable);

    public static string WritePlan(string dir, PlannedSandbox planned, bool durable = true)
    {
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "sandbox.plan");
        if (durable || !HoldsExactly(file, planned.Text)) AtomicFile.WriteAllBytes(file, planned.Text, durable);
        var report = Path.Combine(dir, "sandbox.json");
        if (!HoldsExactly(report, planned.Report)) AtomicFile.WriteAllBytes(report, planned.Report, durable: false);
        return file;
    }

    /// <summary>
    /// Whether <paramref name="file"/> already holds exactly <paramref name="bytes"/>: a launch that plans what the last
    /// one planned (a service's every restart) reads the file back instead of writing and renaming two files again. A
    /// file a crash left short or empty differs and is written.
    /// </summary>
    private static bool HoldsExactly(string file, byte[] bytes)
    {
        try
        {
            using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            if (f.Length != bytes.Length) return false;
            var have = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes.Length + 1);
            try
            {
                var n = f.ReadAtLeast(have.AsSpan(0, bytes.Length + 1), bytes.Length + 1, throwOnEndOfStream: false);
                return n == bytes.Length && have.AsSpan(0, n).SequenceEqual(bytes);
            }
            finally { System.Buffers.ArrayPool<byte>.Shared.Return(have); }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The report the last start wrote into <paramref name="dir"/> (null: none, or unconfined).</summary>
    public static SandboxReport? ReadReport(string dir)
    {
        try { return System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "sandbox.json")), SandboxJson.Default.SandboxReport); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; }
    }

    /// <summary>Removes a previous start's plan and report (an unconfined start leaves none).</summary>
    public static void Clear(string dir)
    {
        AtomicFile.TryDelete(Path.Combine(dir, "sandbox.plan"));
        AtomicFile.TryDelete(Path.Combine(dir, "sandbox.json"));
    }

    /// <summary>Kernel audit status via the helper's netlink query: (enabled, auditd pid), or the error text.</summary>
    public static async Task<(int Enabled, int Pid, string? Error)> AuditStatusAsync(string lib, IProcessRunner runner, CancellationToken ct = default)
    {
        var r = await runner.RunAsync(Ensure(lib), ["--audit"], new ProcessOptions { Timeout = TimeSpan.FromSeconds(5) }, ct).ConfigureAwait(false);
        var text = r.StdOut.Trim();
        if (text.StartsWith("error=", StringComparison.Ordinal)) return (0, 0, text[6..]);
        int Field(string k) => text.Split(' ').Select(p => p.Split('=')).Where(p => p.Length == 2 && p[0] == k).Select(p => int.TryParse(p[1], out var v) ? v : 0).FirstOrDefault();
        return (Field("enabled"), Field("pid"), null);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SandboxReport))]
[JsonSerializable(typeof(SandboxSpec))]
public sealed partial class SandboxJson : JsonSerializerContext;

/// <summary>
/// A workload's sandbox to apply on the host at each launch (services): <see cref="Wrap(string, SandboxKind)"/> plans it for this kernel,
/// writes the plan and report into the workload's directory and returns the argv prefix (helper, plan); empty for
/// an unconfined spec.
/// </summary>
public sealed record SandboxRequest(SandboxSpec Spec, string Etc, string Lib)
{
    public IReadOnlyList<string> Wrap(string dir, SandboxKind kind = SandboxKind.Service) => Wrap(dir, kind, handOver: false, out _);

    /// <summary>
    /// As <see cref="Wrap(string, SandboxKind)"/>; with <paramref name="handOver"/> the plan's Landlock ruleset is
    /// built here (once per plan, <see cref="Kernel.LandlockRulesets"/>) and named to the helper (<c>--ruleset-from
    /// PID:FD</c>): <paramref name="lease"/> keeps it open and must be disposed once the helper said "ok" or exited
    /// (it takes its copy first). Null lease: the helper builds the rules itself.
    /// </summary>
    public IReadOnlyList<string> Wrap(string dir, SandboxKind kind, bool handOver, out IDisposable? lease)
    {
        lease = null;
        if (Spec.IsUnconfined) { SandboxHelper.Clear(dir); return []; }
        // Planned once per change of what the plan is made from (SandboxPlanCache): a service's restarts reuse it.
        var plan = Planning.SandboxPlanCache.Shared.Plan(Spec, kind, Kernel.LandlockAbi.Probe(), Etc);
        // Not fsynced: every launch plans and writes it again right before the helper reads it (a service's every
        // start, a task's every run), so a plan a crash loses is never read (docs/decisions.md, as for containers).
        var file = SandboxHelper.WritePlan(dir, plan, durable: false);
        var helper = SandboxHelper.Ensure(Lib);
        if (handOver && Kernel.LandlockRulesets.Shared.Acquire(plan) is { } held)
        {
            lease = held;
            return [helper, "--ruleset-from", $"{Environment.ProcessId}:{held.Fd}", file];
        }
        return [helper, file];
    }
}
