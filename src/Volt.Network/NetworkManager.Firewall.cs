using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Network.Firewall;
using Volt.Network.Host;
using Volt.Network.State;

namespace Volt.Network;

public sealed partial class NetworkManager
{
    private AttachJournalStore Journal => new(Store);

    /// <summary>
    /// <c>volt firewall add</c>: SRC/DST are <c>any</c>, <c>host</c>, a CIDR, a network or a workload (resolved in that
    /// order of checks: keyword, CIDR, network name, workload with an attachment). A workload Volt has no address
    /// for → exit 3, or accepted (its set stays empty until it attaches) with <paramref name="pending"/>. Then the
    /// whole table is rebuilt in one transaction.
    /// </summary>
    public async Task<FirewallRule> AddRuleAsync(string? name, string from, string to, string? port, string action, bool pending,
        Func<string, bool>? workloadExists = null, CancellationToken ct = default)
    {
        if (action is not ("allow" or "deny")) throw VoltException.Usage($"invalid --action \"{action}\": allow or deny");
        var (p, proto) = port is null ? ((int?)null, (string?)null) : FirewallRule.ParsePort(port);
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var rules = Firewall.Rules().ToList();
        name ??= NextRuleName(rules);
        NetNames.ValidateOwner(name);
        if (rules.Any(r => r.Name == name)) throw VoltException.Exists($"firewall rule \"{name}\" already exists");
        var src = Resolve(from, pending, workloadExists);
        var dst = Resolve(to, pending, workloadExists);
        if (src.Kind == EndpointKind.Host && dst.Kind == EndpointKind.Host)
            throw VoltException.Usage("a rule from host to host is the host firewall's business, not Volt's");
        var rule = new FirewallRule(name, src.Endpoint.ToString(), dst.Endpoint.ToString(), p, proto, action, _time.GetUtcNow())
        { Pending = src.Pending || dst.Pending };
        rules.Add(rule);
        Firewall.Save(rules);
        try { await RebuildLockedAsync(ct).ConfigureAwait(false); }
        catch
        {
            Firewall.Save([.. rules.Where(r => r.Name != name)]);
            throw;
        }
        return rule;
    }

    /// <summary><c>volt firewall delete NAME</c> (exit 3 when unknown), then a rebuild.</summary>
    public async Task DeleteRuleAsync(string name, CancellationToken ct = default)
    {
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        var rules = Firewall.Rules();
        if (!rules.Any(r => r.Name == name)) throw VoltException.NotFound($"firewall rule \"{name}\" not found");
        Firewall.Save([.. rules.Where(r => r.Name != name)]);
        await RebuildLockedAsync(ct).ConfigureAwait(false);
    }

    /// <summary><c>volt firewall reload</c>: the whole table from the records, one <c>nft -f</c> transaction. Also the
    /// way back after <c>nft flush ruleset</c>; established connections survive (conntrack). Returns the rule count.</summary>
    public async Task<int> ReloadAsync(CancellationToken ct = default)
    {
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
        // Counted in the script just applied (one transaction: the table now holds exactly it), not by listing the table
        // back: `nft -j list` of 1000 rules and sets cost more than applying them (bench/network/rules.sh).
        return RulesetRenderer.CountInetRules(await RebuildLockedAsync(ct).ConfigureAwait(false));
    }

    /// <summary>The script a reload applies (for <c>volt firewall reload --dry-run</c> and the benchmark).</summary>
    public async Task<string> RenderAsync(CancellationToken ct = default) =>
        (await RenderWithModeAsync(ct).ConfigureAwait(false)).Script;

    private async Task<(string Script, bool BridgeFilter)> RenderWithModeAsync(CancellationToken ct)
    {
        var bridgeFilter = !await _nft.BridgedTrafficReachesInetAsync(ct).ConfigureAwait(false);
        return (RenderScript(await _nft.HostInputDropsAsync(ct).ConfigureAwait(false), bridgeFilter), bridgeFilter); // NetworkManager.Mesh.cs
    }

    /// <summary>Finishes what a killed command left (see <see cref="RecoverLockedAsync"/>); <c>volt net status</c> calls it.</summary>
    public async Task RecoverAsync(CancellationToken ct = default)
    {
        using var _ = await FileLock.ExclusiveAsync(Store.EngineLock, ct).ConfigureAwait(false);
        await RecoverLockedAsync(ct).ConfigureAwait(false);
    }

    private async Task<string> RebuildLockedAsync(CancellationToken ct)
    {
        var (script, bridgeFilter) = await RenderWithModeAsync(ct).ConfigureAwait(false);
        await _nft.ReplaceTableAsync(script, ct).ConfigureAwait(false);
        // br_netfilter appeared since the last rebuild: the inet table now sees bridged traffic, a bridge table would only repeat it.
        if (!bridgeFilter) await _nft.DropBridgeTableAsync(ct).ConfigureAwait(false);
        return script;
    }

    /// <summary>A workload's addresses into (or out of) its set, in place, when some rule names it.</summary>
    private async Task UpdateWorkloadSetAsync(string workload, IReadOnlyList<string> addresses, bool add, CancellationToken ct)
    {
        if (!RulesetRenderer.NamedWorkloads(Firewall.Rules()).Contains(workload)) return;
        await _nft.UpdateSetAsync(RulesetRenderer.SetName(workload), addresses, add, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Undoes attaches a crash (kill -9) cut short: every journal entry without its attachment record loses its host
    /// veth, its fresh lease and its port forwards; an entry whose record exists had committed and is just forgotten.
    /// Runs under the engine lock at the start of every command that changes network state.
    /// </summary>
    private async Task RecoverLockedAsync(CancellationToken ct)
    {
        foreach (var j in Journal.Pending())
        {
            if (Store.TryGetAttachment(j.Workload, j.Network) is null)
            {
                await _links.DeleteAsync(j.HostVeth, ct).ConfigureAwait(false);
                if (j.Published) await _nft.RemoveAsync(NftDriver.ContainerComment(j.Workload), ct).ConfigureAwait(false);
                if (j.FreshLease && Store.TryGet(j.Network) is { } net)
                {
                    var ipam = Ipam(net);
                    if (ipam.Allocations().TryGetValue(j.Workload, out var addr))
                    {
                        await UpdateWorkloadSetAsync(j.Workload, [addr], add: false, ct).ConfigureAwait(false);
                        ipam.Release(j.Workload);
                    }
                }
            }
            Journal.End(j.Workload, j.Network);
        }
    }

    private (FirewallEndpoint Endpoint, EndpointKind Kind, bool Pending) Resolve(string word, bool pending, Func<string, bool>? workloadExists)
    {
        if (word == "any") return (FirewallEndpoint.AnyEndpoint, EndpointKind.Any, false);
        if (word == "host") return (FirewallEndpoint.HostEndpoint, EndpointKind.Host, false);
        if (FirewallEndpoint.TryCidr(word) is { } cidr) return (new(EndpointKind.Cidr, cidr), EndpointKind.Cidr, false);
        if (word.StartsWith("network:", StringComparison.Ordinal) || Store.TryGet(word) is not null)
        {
            var n = word.StartsWith("network:", StringComparison.Ordinal) ? word[8..] : word;
            if (Store.TryGet(n) is null) throw VoltException.NotFound($"network \"{n}\" not found");
            return (new(EndpointKind.Network, n), EndpointKind.Network, false);
        }
        var w = word.StartsWith("workload:", StringComparison.Ordinal) ? word[9..] : word;
        NetNames.ValidateOwner(w);
        var known = Store.AttachmentsOf(w).Count > 0 || (workloadExists?.Invoke(w) ?? false);
        if (!known && !pending)
            throw VoltException.NotFound($"\"{w}\" is not a workload, network, CIDR, 'host' or 'any' (use --pending for a workload that does not exist yet)");
        return (new(EndpointKind.Workload, w), EndpointKind.Workload, !known);
    }

    private static string NextRuleName(IReadOnlyList<FirewallRule> rules)
    {
        for (var i = 1; ; i++)
            if (!rules.Any(r => r.Name == $"rule-{i}")) return $"rule-{i}";
    }
}
