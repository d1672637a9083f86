using System.Text;
using System.Text.Json.Nodes;
using Volt.Network.Addressing;
using Volt.Network.State;

namespace Volt.Network.Host;

/// <summary>
/// Volt's one nftables table. Every rule carries a comment naming its owner (<c>net:&lt;network&gt;</c> or
/// <c>ctr:&lt;container&gt;</c>) so it can be removed precisely; every change is one <c>nft -f -</c> script, which
/// the kernel applies atomically (all rules or none).
/// <code>
/// table inet volt {
///   chain prerouting  { type nat hook prerouting priority dstnat; policy accept;     # --publish from outside
///     fib daddr type local tcp dport 8080 dnat ip to 10.0.0.2:80 comment "ctr:web" }
///   chain output      { type nat hook output priority -100; policy accept;         # --publish from the host itself
///     fib daddr type local tcp dport 8080 dnat ip to 10.0.0.2:80 comment "ctr:web" }
///   chain postrouting { type nat hook postrouting priority srcnat; policy accept;
///     ip saddr 10.0.0.0/24 oifname != "volt0" masquerade comment "net:volt0"       # outbound NAT
///     ip saddr 127.0.0.0/8 oifname "volt0" masquerade comment "net:volt0" }        # loopback → container replies
/// }
/// </code>
/// </summary>
public sealed class NftDriver(HostCommands host)
{
    public const string Family = "inet", Table = "volt";
    private const string T = Family + " " + Table;

    public static string NetworkComment(string network) => $"net:{network}";
    public static string ContainerComment(string container) => $"ctr:{container}";

    /// <summary>Creating the table and chains is idempotent in nft (<c>add</c> of an existing object is a no-op).</summary>
    private static string BaseScript() =>
        $"add table {T}\n" +
        $"add chain {T} prerouting {{ type nat hook prerouting priority dstnat; policy accept; }}\n" +
        $"add chain {T} output {{ type nat hook output priority -100; policy accept; }}\n" +
        $"add chain {T} postrouting {{ type nat hook postrouting priority srcnat; policy accept; }}\n";

    /// <summary>DNAT for each published port, in prerouting (from outside) and output (from the host, loopback included).</summary>
    public Task AddPortForwardsAsync(AttachmentRecord a, CancellationToken ct)
    {
        var sb = new StringBuilder(BaseScript());
        foreach (var line in Firewall.RulesetRenderer.PortForwards(a))
            foreach (var chain in new[] { "prerouting", "output" })
                sb.Append($"add rule {T} {chain} {line}\n");
        return ApplyAsync($"publishing ports {string.Join(", ", a.Ports)} of \"{a.Container}\"", sb.ToString(), ct);
    }

    /// <summary>Adds (or deletes) addresses in a workload's set in place; a set that does not exist is left alone.</summary>
    public async Task UpdateSetAsync(string set, IReadOnlyList<string> addresses, bool add, CancellationToken ct)
    {
        if (addresses.Count == 0) return;
        var verb = add ? "add" : "delete";
        var script = $"{verb} element {T} {set} {{ {string.Join(", ", addresses)} }}\n";
        var r = await host.RunAsync("nft", ["-f", "-"], script, ct).ConfigureAwait(false);
        // Deleting an element that is not there (or from a set a reload dropped) is the state we want.
        if (!r.Success && add)
            await host.CheckAsync($"adding {string.Join(", ", addresses)} to set {set}", "nft", ["-f", "-"], script, ct).ConfigureAwait(false);
        // The same set in table bridge volt, where same-network rules are rendered without br_netfilter (absent otherwise).
        await host.RunAsync("nft", ["-f", "-"], $"{verb} element {Firewall.RulesetRenderer.BridgeTable} {set} {{ {string.Join(", ", addresses)} }}\n", ct).ConfigureAwait(false);
    }

    /// <summary>The whole table in one transaction (see <see cref="Firewall.RulesetRenderer"/>).</summary>
    public Task ReplaceTableAsync(string script, CancellationToken ct) => ApplyAsync("rebuilding nft table inet volt", script, ct);

    /// <summary>
    /// True when br_netfilter passes bridged IPv4 to the inet hooks (<c>net.bridge.bridge-nf-call-iptables = 1</c> in
    /// this namespace): same-network rules then apply in <c>table inet volt</c>; otherwise they also go into
    /// <c>table bridge volt</c> (see <see cref="Firewall.RulesetRenderer"/>). Volt never loads the module or sets the sysctl.
    /// </summary>
    public async Task<bool> BridgedTrafficReachesInetAsync(CancellationToken ct) =>
        await host.ReadSysctlAsync("net.bridge.bridge-nf-call-iptables", ct).ConfigureAwait(false) == "1";

    /// <summary>True when some base chain outside table volt hooks input with policy drop (the host's own firewall).</summary>
    public async Task<bool> HostInputDropsAsync(CancellationToken ct)
    {
        var r = await host.RunAsync("nft", ["-j", "list", "chains"], null, ct).ConfigureAwait(false);
        if (!r.Success) return false;
        foreach (var item in (JsonNode.Parse(r.StdOut)?["nftables"] as JsonArray ?? []).OfType<JsonObject>())
            if (item["chain"] is JsonObject c && (string?)c["hook"] == "input" && (string?)c["policy"] == "drop"
                && !((string?)c["table"] == Table && (string?)c["family"] == Family))
                return true;
        return false;
    }

    /// <summary>Deletes every rule with this comment in one atomic script; returns how many.</summary>
    public async Task<int> RemoveAsync(string comment, CancellationToken ct)
    {
        var rules = (await ListAsync(ct).ConfigureAwait(false)).Rules.Where(r => r.Comment == comment).ToList();
        if (rules.Count == 0) return 0;
        var script = string.Concat(rules.Select(r => $"delete rule {T} {r.Chain} handle {r.Handle}\n"));
        await ApplyAsync($"removing nft rules \"{comment}\"", script, ct).ConfigureAwait(false);
        return rules.Count;
    }

    /// <summary>Drops the whole table (used when the last network goes away).</summary>
    public async Task DeleteTableAsync(CancellationToken ct)
    {
        if ((await ListAsync(ct).ConfigureAwait(false)).Present)
            await ApplyAsync("deleting nft table volt", $"delete table {T}\n", ct).ConfigureAwait(false);
        await DropBridgeTableAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Removes <c>table bridge volt</c> if it is there (nothing to do, and no error, when it is not).</summary>
    public Task DropBridgeTableAsync(CancellationToken ct) =>
        host.RunAsync("nft", ["delete", "table", "bridge", Table], null, ct);

    /// <summary>The table's rules (chain, handle, comment, text); <c>Present</c> is false when the table does not exist.</summary>
    public async Task<NftTable> ListAsync(CancellationToken ct)
    {
        var r = await host.RunAsync("nft", ["-j", "-a", "list", "table", Family, Table], null, ct).ConfigureAwait(false);
        if (!r.Success)
        {
            if (r.StdErr.Contains("No such file or directory", StringComparison.Ordinal)) return new NftTable(false, []);
            await host.CheckAsync("listing nft table volt", "nft", ["-j", "-a", "list", "table", Family, Table], null, ct).ConfigureAwait(false);
        }
        var rules = new List<NftRule>();
        var chains = new List<string>();
        var sets = new List<string>();
        foreach (var item in (JsonNode.Parse(r.StdOut)?["nftables"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (item["rule"] is JsonObject rule)
                rules.Add(new NftRule((string?)rule["chain"] ?? "", (long?)rule["handle"] ?? 0, (string?)rule["comment"]));
            else if (item["chain"] is JsonObject chain) chains.Add((string?)chain["name"] ?? "");
            else if (item["set"] is JsonObject set) sets.Add((string?)set["name"] ?? "");
        }
        return new NftTable(true, rules) { Chains = chains, Sets = sets };
    }

    private Task ApplyAsync(string action, string script, CancellationToken ct) =>
        host.CheckAsync(action, "nft", ["-f", "-"], script, ct);
}

/// <summary>The state of <c>table inet volt</c>.</summary>
public sealed record NftTable(bool Present, IReadOnlyList<NftRule> Rules)
{
    public IReadOnlyList<string> Chains { get; init; } = [];
    public IReadOnlyList<string> Sets { get; init; } = [];
}

/// <summary>One rule: its chain, kernel handle and owner comment.</summary>
public sealed record NftRule(string Chain, long Handle, string? Comment);
