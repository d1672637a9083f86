using Volt.Core.Errors;
using Volt.Sandbox.Policy;

namespace Volt.Sandbox.Seccomp;

/// <summary>
/// The named seccomp profiles. <c>default</c> denies (EPERM) what a workload has no business calling — mount and the
/// new mount API, reboot, kexec, module loading, ptrace and cross-process memory access, swap, clock setting, quotas,
/// bpf, perf, userfaultfd, the kernel keyring, io_uring (Landlock does not mediate its requests), namespace creation
/// (unshare, setns, clone with CLONE_NEW*) — and allows the rest (about 330 of the 379 x86-64 syscalls), like
/// Docker's default; a capability granted with <c>--cap-add</c> re-allows the calls it is for (SYS_ADMIN: mount,
/// namespaces; SYS_PTRACE: ptrace; SYS_BOOT: reboot; …). <c>strict</c> denies more (chroot, mknod, personality,
/// kcmp, NUMA policy, syslog, raw and packet sockets) and ignores granted capabilities. <c>unconfined</c>: none.
/// </summary>
public static class SeccompProfiles
{
    public static readonly string[] Names = ["default", "strict", "unconfined"];

    private static readonly string[] DefaultDenied =
    [
        "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "open_tree_attr",
        "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "ptrace", "process_vm_readv", "process_vm_writev", "swapon", "swapoff", "acct",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm", "quotactl", "quotactl_fd", "lookup_dcookie",
        "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "open_by_handle_at", "nfsservctl", "uselib",
        "io_uring_setup", "io_uring_enter", "io_uring_register", "unshare", "setns", "vhangup",
    ];

    private static readonly string[] StrictDenied =
    [
        "chroot", "mknod", "mknodat", "personality", "kcmp", "syslog", "sysfs", "ustat", "mbind", "migrate_pages", "move_pages",
        "set_mempolicy", "get_mempolicy", "name_to_handle_at", "pidfd_getfd", "process_madvise",
    ];

    /// <summary>What a granted capability re-allows in <c>default</c>.</summary>
    private static readonly (string Cap, string[] Calls)[] Relaxed =
    [
        ("SYS_ADMIN", ["mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "open_tree_attr",
            "unshare", "setns", "quotactl", "quotactl_fd", "lookup_dcookie", "open_by_handle_at", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "vhangup"]),
        ("SYS_BOOT", ["reboot", "kexec_load", "kexec_file_load"]),
        ("SYS_MODULE", ["init_module", "finit_module", "delete_module"]),
        ("SYS_PTRACE", ["ptrace", "process_vm_readv", "process_vm_writev"]),
        ("SYS_TIME", ["settimeofday", "clock_settime", "clock_adjtime", "adjtimex"]),
        ("SYS_RAWIO", ["iopl", "ioperm"]),
        ("SYS_PACCT", ["acct"]),
        ("PERFMON", ["perf_event_open"]),
        ("BPF", ["bpf"]),
    ];

    public static bool IsFile(string value) => value.Contains('/') || value.EndsWith(".json", StringComparison.Ordinal);

    /// <summary>Checks a <c>--seccomp</c> value (a name, or a FILE that parses and allows execve).</summary>
    public static void Validate(string value)
    {
        if (IsFile(value)) SeccompProfile.ParseFile(value);
        else if (!Names.Contains(value))
            throw new VoltException(ExitCode.InvalidConfig, $"unknown seccomp profile \"{value}\" (profiles: {string.Join(", ", Names)}, or a profile FILE path)");
    }

    /// <summary>The profile <paramref name="value"/> names with <paramref name="caps"/> kept; null for <c>unconfined</c>.</summary>
    public static SeccompProfile? Resolve(string value, ulong caps)
    {
        if (IsFile(value)) return SeccompProfile.ParseFile(value);
        switch (value)
        {
            case "unconfined": return null;
            case "default":
            {
                var allowed = Relaxed.Where(r => (caps & (1UL << Capabilities.Number(r.Cap))) != 0).SelectMany(r => r.Calls).ToHashSet(StringComparer.Ordinal);
                var admin = (caps & (1UL << Capabilities.Number("SYS_ADMIN"))) != 0;
                return Deny("default", DefaultDenied.Where(c => !allowed.Contains(c)), SocketDenials.None, !admin);
            }
            case "strict": return Deny("strict", [.. DefaultDenied, .. StrictDenied], SocketDenials.Raw, true);
            default: throw new VoltException(ExitCode.InvalidConfig, $"unknown seccomp profile \"{value}\" (profiles: {string.Join(", ", Names)}, or a profile FILE path)");
        }
    }

    private static SeccompProfile Deny(string name, IEnumerable<string> calls, SocketDenials sockets, bool namespaces) => new()
    {
        Name = name,
        Default = SeccompAction.Allow,
        Rules = [.. calls.Where(SyscallTable.X64.ContainsKey).Distinct().Select(c => new SyscallRule(c, SyscallTable.X64[c], SeccompAction.Errno, 1))],
        Sockets = sockets,
        DenyNewNamespaces = namespaces,
    };
}
