using System.Globalization;
using Volt.Core.IO;

namespace Volt.Workloads.Cgroups;

/// <summary>Small helpers for cgroupfs files: one value per write, "max" for unlimited, depth-first removal.</summary>
internal static class CgroupFs
{
    public static void Write(string file, string value)
    {
        try { File.WriteAllText(file, value); }
        catch (IOException e) { throw new IOException($"writing \"{value}\" to {file}: {e.Message}", e); }
    }

    /// <summary>
    /// See <see cref="ICgroupDriver.WarmMigrations"/>: this process's PID into its own group of the v2 hierarchy mounted
    /// at <paramref name="v2Root"/> (its <c>0::/path</c> line of /proc/self/cgroup). Failures are ignored.
    /// </summary>
    public static void RejoinOwnV2Group(string v2Root)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                if (!line.StartsWith("0::", StringComparison.Ordinal)) continue;
                var file = Path.Combine(v2Root, line[3..].TrimStart('/'), "cgroup.procs");
                File.WriteAllText(file, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>A cgroup file's text, trimmed; null when it is absent or unreadable (a controller not mounted here).</summary>
    public static string? Read(string file) =>
        RawFile.TryReadSmall(file) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes).Trim() : null;

    public static long ReadLong(string file) =>
        long.TryParse(Read(file), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>A <c>key value</c> line from files like memory.events, cpu.stat, memory.oom_control.</summary>
    public static long KeyValue(string file, string key)
    {
        var text = Read(file);
        if (text is null) return 0;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var v)) return v;
        }
        return 0;
    }

    public static IEnumerable<int> ProcsRecursive(string dir)
    {
        if (!Directory.Exists(dir)) yield break;
        foreach (var line in (Read(Path.Combine(dir, "cgroup.procs")) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line, CultureInfo.InvariantCulture, out var pid)) yield return pid;
        foreach (var child in SafeChildren(dir))
            foreach (var pid in ProcsRecursive(child)) yield return pid;
    }

    /// <summary>
    /// rmdir depth-first. On a real cgroupfs the control files vanish with the directory; on a fake tree (tests)
    /// they are plain files, so those are deleted first.
    /// </summary>
    public static void RemoveTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var child in SafeChildren(dir)) RemoveTree(child);
        try { Directory.Delete(dir); }
        catch (IOException) when (!IsCgroupFs(dir))
        {
            foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
            Directory.Delete(dir);
        }
    }

    /// <summary>The names of the sub-directories (groups) of <paramref name="dir"/>; none when it does not exist.</summary>
    public static IEnumerable<string> Children(string dir) => SafeChildren(dir).Select(Path.GetFileName).OfType<string>();

    public static string Format(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "max";

    private static IEnumerable<string> SafeChildren(string dir)
    {
        try { return Directory.GetDirectories(dir); }
        catch (DirectoryNotFoundException) { return []; }
    }

    private static bool IsCgroupFs(string dir) => dir.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal);
}
