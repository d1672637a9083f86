using System.Runtime.CompilerServices;

namespace Volt.Testing;

/// <summary>
/// Containers join <c>volt0</c> unless told otherwise (config <c>network.default</c>); the suites must never create a
/// bridge in the host's network namespace, so every test process — and every volt it starts, which inherits the
/// environment — runs with <c>VOLT_NETWORK_DEFAULT=none</c>. Tests of the default itself run inside a network
/// namespace they create and pass <c>VOLT_NETWORK_DEFAULT=volt0</c> explicitly.
/// </summary>
internal static class NetworkDefault
{
    // A library initializer on purpose: it must run in every test process before any test starts a volt.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void NoDefaultNetworkInTests()
    {
        if (Environment.GetEnvironmentVariable("VOLT_NETWORK_DEFAULT") is null)
            Environment.SetEnvironmentVariable("VOLT_NETWORK_DEFAULT", "none");
    }
}
