using System.Globalization;
using System.Text;

namespace Volt.Workloads.Runtime;

/// <summary>What /proc says about a process: its argv, liveness (zombies count as dead), children.</summary>
public static class ProcFs
{
    public static IReadOnlyList<string> Cmdline(int pid)
    {
        try
        {
            var raw = File.ReadAllBytes($"/proc/{pid}/cmdline");
            return Encoding.UTF8.GetString(raw).TrimEnd('\0').Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Direct children (the container's PID 1 is nspawn's child).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        var result = new List<int>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                foreach (var s in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(s, CultureInfo.InvariantCulture, out var c)) result.Add(c);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return result;
    }

    /// <summary>
    /// The container's PID 1: the child of nspawn that lives in another PID namespace. nspawn's short-lived "outer
    /// child" is still in the host's namespaces, so the first child alone is not enough. With
    /// <paramref name="ownNetwork"/> it must also have entered its own network namespace (nspawn's inner child unshares
    /// it a few milliseconds after the PID namespace exists): what a veth move or an <c>nsenter</c> needs.
    /// </summary>
    public static int? ContainerInit(int nspawnPid, bool ownNetwork = true)
    {
        var own = Namespace(nspawnPid, "pid");
        if (own is null) return null;
        var hostNet = ownNetwork ? Namespace(nspawnPid, "net") : null;
        foreach (var c in Children(nspawnPid))
            if (Namespace(c, "pid") is { } ns && ns != own && (!ownNetwork || Namespace(c, "net") != hostNet)) return c;
        return null;
    }

    private static string? Namespace(int pid, string kind)
    {
        try { return new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
