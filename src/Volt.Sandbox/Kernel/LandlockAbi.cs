using Volt.Core.Native;

namespace Volt.Sandbox.Kernel;

/// <summary>The running kernel's Landlock ABI: <c>landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)</c>.</summary>
public static class LandlockAbi
{
    private static int? _abi;

    /// <summary>1..n, or 0 when Landlock is not built in or not enabled (lsm= without landlock).</summary>
    public static int Probe()
    {
        if (_abi is { } known) return known;
        var v = LibC.syscall(LibC.SYS_landlock_create_ruleset, 0, 0, LibC.LANDLOCK_CREATE_RULESET_VERSION);
        _abi = v < 0 ? 0 : (int)v;
        return _abi.Value;
    }

    /// <summary>"ABI 7" or "not available".</summary>
    public static string Describe(int abi) => abi == 0 ? "not available" : $"ABI {abi}";
}
