using System.Collections.Concurrent;
using System.Globalization;
using Volt.Core.IO;
using Volt.Units;

namespace Volt.Workloads.Services;

/// <summary>
/// What <c>volt ps</c> and <c>service list</c> show of a unit, kept in state.json beside the stamp of the unit file it
/// was read from: a row is one state read and one stat of the unit, not a parse. A stamp that differs from the unit
/// on disk (edited by hand, by <c>service edit</c>, by a racing writer) means the summary is stale: the reader parses
/// the unit instead.
/// </summary>
public sealed record ServiceUnitSummary
{
    /// <summary><see cref="ServiceUnits.Stamp"/> of the unit file this was read from.</summary>
    public required string Stamp { get; init; }
    /// <summary>The last ExecStart= (the main process) as argv.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    public long? MemoryMax { get; init; }
    public int? CpuQuotaPercent { get; init; }
    public int? TasksMax { get; init; }

    public static ServiceUnitSummary Of(ServiceUnit unit, string stamp) => new()
    {
        Stamp = stamp, Command = unit.ExecStart.LastOrDefault()?.Argv ?? [],
        MemoryMax = unit.MemoryMax, CpuQuotaPercent = unit.CpuQuotaPercent, TasksMax = unit.TasksMax,
    };
}

/// <summary>
/// Parsed units cached by their file's identity (inode, size, mtime, ctime: an atomic replace is a new inode, an
/// in-place edit a new ctime), so voltd parses a unit once per change, not once per start, stop and list.
/// </summary>
public sealed class ServiceUnits
{
    private readonly ConcurrentDictionary<string, (string Stamp, ServiceUnit Unit)> _parsed = new(StringComparer.Ordinal);

    /// <summary>The file's identity as a string; null when it does not exist.</summary>
    public static string? Stamp(string path)
    {
        try
        {
            var st = FileStat.Stat(path);
            return string.Create(CultureInfo.InvariantCulture,
                $"{st.Inode}:{st.Size}:{st.MTimeSec}.{st.MTimeNsec:D9}:{st.CTimeSec}.{st.CTimeNsec:D9}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <summary>
    /// The unit at <paramref name="path"/> and its stamp: from the cache when the file is unchanged, else parsed (exit 12
    /// when invalid, 3 when missing). The stamp is taken before the read, so a change
    /// during the read leaves a stamp that no longer matches and the next call reads again.
    /// </summary>
    public (ServiceUnit Unit, string Stamp) Load(string path)
    {
        var stamp = Stamp(path) ?? throw Core.Errors.VoltException.NotFound($"unit {path} not found");
        if (_parsed.TryGetValue(path, out var hit) && hit.Stamp == stamp) return (hit.Unit, stamp);
        var unit = ServiceUnit.From(UnitFile.Load(path));
        _parsed[path] = (stamp, unit);
        return (unit, stamp);
    }

    public void Forget(string path) => _parsed.TryRemove(path, out _);
}
