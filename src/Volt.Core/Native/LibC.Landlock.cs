using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Landlock probes through syscall(2) (glibc has no wrappers): the sandbox helper applies the rules itself.</summary>
public static unsafe partial class LibC
{
    /// <summary>x86-64 and arm64 share the Landlock syscall numbers (generic table).</summary>
    public const long SYS_landlock_create_ruleset = 444;
    /// <summary><c>LANDLOCK_CREATE_RULESET_VERSION</c>: return the highest ABI instead of creating a ruleset.</summary>
    public const uint LANDLOCK_CREATE_RULESET_VERSION = 1;

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall(long number, nint arg1, nuint arg2, uint arg3);

    public const long SYS_landlock_add_rule = 445;
    public const int LANDLOCK_RULE_PATH_BENEATH = 1, LANDLOCK_RULE_NET_PORT = 2;
    public const int O_PATH = 0x200000;

    /// <summary>landlock_add_rule(2): <paramref name="attr"/> is the rule's attribute struct.</summary>
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall_landlock_add_rule(long number, int rulesetFd, int ruleType, void* attr, uint flags);
}
