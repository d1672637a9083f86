using Volt.Core.Errors;

namespace Volt.Sandbox.Policy;

/// <summary>
/// Linux capability names (capabilities(7), <c>CAP_</c> prefix optional, any case) and the set a workload keeps:
/// none by default, plus <c>--cap-add</c>, minus <c>--cap-drop</c> (<c>ALL</c> on either side).
/// </summary>
public static class Capabilities
{
    /// <summary>Index = capability number (linux/capability.h).</summary>
    public static readonly string[] Names =
    [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ];

    public static ulong All => (1UL << Names.Length) - 1;

    /// <summary>The capability's number, or -1 for an unknown name.</summary>
    public static int Number(string name)
    {
        var n = name.Trim().ToUpperInvariant();
        if (n.StartsWith("CAP_", StringComparison.Ordinal)) n = n[4..];
        return Array.IndexOf(Names, n);
    }

    /// <summary>The kept set: <paramref name="add"/> minus <paramref name="drop"/>; unknown names → exit 2, all named.</summary>
    public static ulong Resolve(IEnumerable<string> add, IEnumerable<string> drop)
    {
        var unknown = new List<string>();
        ulong Mask(IEnumerable<string> names)
        {
            ulong m = 0;
            foreach (var raw in names.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (raw.Equals("ALL", StringComparison.OrdinalIgnoreCase)) { m |= All; continue; }
                var i = Number(raw);
                if (i < 0) unknown.Add(raw);
                else m |= 1UL << i;
            }
            return m;
        }
        var added = Mask(add);
        var dropped = Mask(drop);
        if (unknown.Count > 0)
            throw new VoltException(ExitCode.Usage, $"unknown capabilit{(unknown.Count == 1 ? "y" : "ies")}: {string.Join(", ", unknown)} (see capabilities(7); e.g. NET_BIND_SERVICE, CAP_CHOWN, ALL)");
        return added & ~dropped;
    }

    /// <summary><c>CAP_A,CAP_B</c> ("none" for the empty set).</summary>
    public static string Format(ulong mask)
    {
        var names = Enumerable.Range(0, Names.Length).Where(i => (mask & (1UL << i)) != 0).Select(i => "CAP_" + Names[i]).ToList();
        return names.Count == 0 ? "none" : string.Join(",", names);
    }

    public static IReadOnlyList<string> List(ulong mask) =>
        [.. Enumerable.Range(0, Names.Length).Where(i => (mask & (1UL << i)) != 0).Select(i => "CAP_" + Names[i])];
}
