using System.Security.Cryptography;
using System.Text;
using Volt.Network.Host;

namespace Volt.Network;

public sealed partial class NetworkManager
{
    /// <summary>
    /// The network namespace a networked container runs in, made and wired <em>before</em> nspawn starts (nspawn joins it
    /// with <c>--network-namespace-path=</c>), so the payload's first instruction already has its address, route and
    /// DNS — as with podman and Docker. Named <c>vc&lt;8 hex of the Volt root&gt;-&lt;container&gt;</c>: two Volt roots
    /// (tests, <c>--root</c>) never share one.
    /// </summary>
    public string ContainerNetnsName(string container) => NetnsPrefix + container;

    /// <summary>The file nspawn's <c>--network-namespace-path=</c> takes for <paramref name="container"/>.</summary>
    public string ContainerNetnsPath(string container) => LinkDriver.NetnsPath(ContainerNetnsName(container));

    /// <summary>Creates the container's namespace (fresh: a stale one from a crash is replaced) and returns it as a target.</summary>
    public async Task<NetnsTarget> CreateContainerNetnsAsync(string container, CancellationToken ct = default)
    {
        NetNames.ValidateOwner(container);
        var name = ContainerNetnsName(container);
        await _links.CreateNetnsAsync(name, ct).ConfigureAwait(false);
        return new NetnsTarget.Named(name);
    }

    /// <summary>Containers whose namespace file is still there (for the orphan collector).</summary>
    private IEnumerable<string> ContainerNetnsOwners()
    {
        if (!Directory.Exists("/run/netns")) return [];
        return Directory.EnumerateFiles("/run/netns", NetnsPrefix + "*").Select(f => Path.GetFileName(f)[NetnsPrefix.Length..]);
    }

    private string NetnsPrefix => _netnsPrefix ??= ContainerNetnsPrefix(_root);

    /// <summary>The start of every container namespace name of the Volt root <paramref name="root"/> (<c>vc</c>, 8 hex of
    /// the root's hash, <c>-</c>): what a cleanup of that root removes from /run/netns.</summary>
    public static string ContainerNetnsPrefix(string root) =>
        "vc" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..8] + "-";
    private string? _netnsPrefix;
}
