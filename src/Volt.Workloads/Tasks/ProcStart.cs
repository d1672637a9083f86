using System.Globalization;

namespace Volt.Workloads.Tasks;

/// <summary>A process's identity beyond its PID (which the kernel reuses): its start time from <c>/proc/PID/stat</c>.</summary>
internal static class ProcStart
{
    /// <summary>Field 22 (starttime, clock ticks after boot); null when the process is gone.</summary>
    public static long? Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); starttime is field 22.
            return fields.Length > 19 && fields[0] is not ("Z" or "X") && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>SIGKILL to the process and its process group (a run's launcher makes it a group leader).</summary>
    public static void KillGroup(int pid)
    {
        Runtime.Native.Kill(-pid, Runtime.Native.SIGKILL);
        Runtime.Native.Kill(pid, Runtime.Native.SIGKILL);
    }
}
