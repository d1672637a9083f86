using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Volt.Core.Errors;

namespace Volt.Network;

/// <summary>
/// Naming rules. Linux interface names hold at most 15 bytes (IFNAMSIZ 16 with the NUL), so a network name is
/// at most 10 characters (<c>volt-</c> + 10); host veth ends are <c>vh-</c> + 10 hex of the container name's hash.
/// </summary>
public static partial class NetNames
{
    /// <summary>The network containers join when none is named; its bridge comes from config (default <c>volt0</c>).</summary>
    public const string DefaultNetwork = "volt0";

    public const int MaxNetworkName = 10;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z")] private static partial Regex NetworkPattern();
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*\z")] private static partial Regex OwnerPattern();
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}\z")] private static partial Regex InterfacePattern();

    public static void ValidateNetwork(string name)
    {
        if (name.Length is 0 or > MaxNetworkName || !NetworkPattern().IsMatch(name))
            throw VoltException.Usage($"invalid network name \"{name}\": 1-{MaxNetworkName} characters of a-z, 0-9 and '-', starting with a letter or digit (the bridge is volt-<name>, and Linux interface names hold 15)");
    }

    /// <summary>Container (allocation owner) names end up in file names and nft comments: keep them plain.</summary>
    public static void ValidateOwner(string name)
    {
        if (name.Length is 0 or > 128 || !OwnerPattern().IsMatch(name))
            throw VoltException.Usage($"invalid container name \"{name}\": letters, digits, '_', '.', '-' only (at most 128)");
    }

    public static void ValidateInterface(string name)
    {
        if (!InterfacePattern().IsMatch(name))
            throw VoltException.Usage($"invalid bridge name \"{name}\": 1-15 characters of letters, digits, '_', '.', '-'");
    }

    public static string BridgeFor(string network) => $"volt-{network}";

    /// <summary>The port that keeps a bridge's carrier up (see <see cref="Host.LinkDriver.EnsureKeeperAsync"/>):
    /// <c>vk-</c> + the first 10 hex digits of SHA-256(bridge); its veth peer is <see cref="KeeperPeer"/>.</summary>
    public static string Keeper(string bridge) => "vk-" + Hash10(bridge);

    /// <summary>The keeper's peer, on no bridge: <c>vq-</c> + the same digits.</summary>
    public static string KeeperPeer(string bridge) => "vq-" + Hash10(bridge);

    /// <summary><c>vh-</c> + the first 10 hex digits of SHA-256(container): stable, 13 bytes, unique in practice.</summary>
    public static string HostVeth(string container) => "vh-" + Hash10(container);

    /// <summary>The first 10 hex digits of SHA-256(<paramref name="name"/>): what host-side link names are made of.</summary>
    internal static string Hash10(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..10];
}
