using System.Text;
using System.Text.Json.Serialization;
using Volt.Core.IO;
using Volt.Network.Firewall;
using Volt.Network.State;

namespace Volt.Network;

/// <summary>
/// A network's traffic to <paramref name="Cidr"/> routed as it is, not masqueraded (the mesh: every host routes every
/// other host's workload subnet), and the rule <paramref name="DefaultAllow"/> that lets that CIDR in, matched after
/// every other rule so that rules by name decide first.
/// </summary>
public sealed record RoutedDestination(string Network, string Cidr, string? DefaultAllow);

/// <summary><c>networks/firewall/routed.json</c>.</summary>
public sealed record RoutedFile(IReadOnlyList<RoutedDestination> Routed);

/// <summary>A workload of another host (what the mesh agent writes to <c>LIB/mesh/remote-workloads.json</c>).</summary>
public sealed record RemoteWorkloadAddress(string Host, string Name, string Address);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RoutedFile))]
[JsonSerializable(typeof(List<RemoteWorkloadAddress>))]
internal sealed partial class MeshFirewallJson : JsonSerializerContext;

/// <summary>
/// The firewall across mesh hosts (issue 18; docs/firewall.md, "Across mesh hosts"): traffic from a routed network to
/// the mesh keeps its workload's address (no masquerade), and a rule naming a workload of another host — known from
/// the mesh's remote workloads — matches that workload's address, on either host.
/// </summary>
public sealed partial class NetworkManager
{
    private string RoutedPath => Path.Combine(Store.Dir, "firewall", "routed.json");

    /// <summary>The mesh agent's view of the other hosts' workloads (a missing or broken file: none).</summary>
    public string RemoteWorkloadsPath => Path.Combine(Path.GetDirectoryName(Store.Dir)!, "mesh", "remote-workloads.json");

    public IReadOnlyList<RoutedDestination> Routed() => NetworkStore.Read(RoutedPath, MeshFirewallJson.Default.RoutedFile)?.Routed ?? [];

    public IReadOnlyList<RemoteWorkloadAddress> RemoteWorkloads()
    {
        try { return NetworkStore.Read(RemoteWorkloadsPath, MeshFirewallJson.Default.ListRemoteWorkloadAddress) ?? []; }
        catch (Core.Errors.VoltException) { return []; }
    }

    /// <summary>True when another mesh host has a workload <paramref name="name"/> (a firewall rule may name it).</summary>
    public bool IsRemoteWorkload(string name) => RemoteWorkloads().Any(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Routes <paramref name="network"/>'s traffic to <paramref name="cidr"/> without masquerade (null: as every other
    /// network again), with <paramref name="defaultAllow"/> matched last; then the table is rebuilt.
    /// </summary>
    public async Task SetRoutedAsync(string network, string? cidr, string? defaultAllow, CancellationToken ct = default)
    {
        if (cidr is not null && FirewallEndpoint.TryCidr(cidr) is null) throw Core.Errors.VoltException.Usage($"invalid CIDR \"{cidr}\"");
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        var list = Routed().Where(r => r.Network != network).ToList();
        if (cidr is not null) list.Add(new RoutedDestination(network, FirewallEndpoint.TryCidr(cidr)!, defaultAllow));
        NetworkStore.Write(RoutedPath, new RoutedFile(list), MeshFirewallJson.Default.RoutedFile);
        await RebuildLockedAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The other hosts' workloads changed (the mesh agent wrote them): the table is rebuilt when a rule names a
    /// workload, so its set holds the new addresses (a no-op otherwise).</summary>
    public async Task<bool> RemoteWorkloadsChangedAsync(CancellationToken ct = default)
    {
        if (!RulesetRenderer.NamedWorkloads(Firewall.Rules()).Any()) return false;
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RebuildLockedAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The whole script: <see cref="RulesetRenderer.Render"/> with remote workloads' addresses in the sets of the
    /// rules naming them, the mesh's default allows last, and the routed destinations exempt from masquerade.</summary>
    private string RenderScript(bool hostInputDrops, bool bridgeFilter)
    {
        var networks = Store.List();
        var attachments = Store.Attachments();
        var remote = RemoteAttachments(RemoteWorkloads(), attachments);
        var routed = Routed();
        var script = RulesetRenderer.Render(networks, remote.Count == 0 ? attachments : [.. attachments, .. remote],
            OrderRules(Firewall.Rules(), routed), hostInputDrops, bridgeFilter);
        return WithRouted(script, networks, routed);
    }

    /// <summary>Remote workloads as address-only attachments (no ports, no link): they only fill <c>wl_NAME</c> sets.</summary>
    public static IReadOnlyList<AttachmentRecord> RemoteAttachments(IReadOnlyList<RemoteWorkloadAddress> remote, IReadOnlyList<AttachmentRecord> local) =>
        [.. remote.Where(w => FirewallEndpoint.TryCidr(w.Address) is not null && !local.Any(a => a.Container == w.Name && a.Address == w.Address))
            .Select(w => new AttachmentRecord(w.Name, "mesh:" + w.Host, "", w.Address, 32, "", "", "", [], DateTimeOffset.UnixEpoch))];

    /// <summary>The rules in their order, with the routed networks' default allows moved last.</summary>
    public static IReadOnlyList<FirewallRule> OrderRules(IReadOnlyList<FirewallRule> rules, IReadOnlyList<RoutedDestination> routed)
    {
        var last = routed.Select(r => r.DefaultAllow).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return last.Count == 0 ? rules : [.. rules.Where(r => !last.Contains(r.Name)), .. rules.Where(r => last.Contains(r.Name))];
    }

    private const string PostroutingHead = "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n";

    /// <summary>
    /// The routed destinations' lines at the head of the NAT <c>postrouting</c> chain, before any masquerade:
    /// <c>ip saddr SUBNET ip daddr CIDR accept</c> ends the chain for that traffic, so it leaves with its own address.
    /// </summary>
    public static string WithRouted(string script, IReadOnlyList<NetworkRecord> networks, IReadOnlyList<RoutedDestination> routed)
    {
        var lines = new StringBuilder();
        foreach (var r in routed)
            if (networks.FirstOrDefault(n => n.Name == r.Network) is { Internal: false } n)
                lines.Append($"    ip saddr {n.Subnet} ip daddr {r.Cidr} accept comment \"routed:{n.Name}\"\n");
        if (lines.Length == 0) return script;
        var at = script.IndexOf(PostroutingHead, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("the ruleset has no NAT postrouting chain to exempt routed traffic in");
        return script.Insert(at + PostroutingHead.Length, lines.ToString());
    }
}
