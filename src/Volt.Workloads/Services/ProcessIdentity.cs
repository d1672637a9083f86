using System.Globalization;

namespace Volt.Workloads.Services;

/// <summary>
/// A process named by PID and start time (/proc/PID/stat field 22, clock ticks since boot): what re-adoption checks,
/// so a PID the kernel recycled for another program is never taken for the service.
/// </summary>
public static class ProcessIdentity
{
    /// <summary>The start time, or null when the process is gone (or a zombie).</summary>
    public static long? StartTime(int pid)
    {
        if (pid <= 0) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); field 22 is fields[19].
            if (fields[0] is "Z" or "X") return null;
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }

    /// <summary>True when <paramref name="pid"/> is alive and started at <paramref name="startTime"/> (any start time when null).</summary>
    public static bool IsAlive(int? pid, long? startTime) =>
        pid is { } p && StartTime(p) is { } t && (startTime is null || t == startTime);
}
