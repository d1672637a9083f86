using Volt.Core.Native;

namespace Volt.Network.Host;

/// <summary>
/// Test hook for crash consistency: when <c>VOLT_TEST_NET_KILL_AT</c> names a step (<c>lease</c>, <c>veth</c>,
/// <c>inside</c>, <c>nft</c>), the process SIGKILLs itself there — the <c>kill -9</c> between two steps of an attach
/// that the tests then recover from. Unset (always, outside tests) it does nothing.
/// </summary>
internal static class Crash
{
    private static readonly string? KillAt = Environment.GetEnvironmentVariable("VOLT_TEST_NET_KILL_AT");

    public static void At(string step)
    {
        if (KillAt is not null && KillAt == step) LibC.kill(Environment.ProcessId, 9);
    }
}
