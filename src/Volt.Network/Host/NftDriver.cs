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

    /// <summary>Adds the network's masquerade rules unless they are there; true when it added them.</summary>
    public async Task<bool> EnsureNetworkNatAsync(NetworkRecord net, CancellationToken ct)
    {
        var comment = NetworkComment(net.Name);
        if ((await ListAsync(ct).ConfigureAwait(false)).Rules.Any(r => r.Comment == comment)) return false;
        var sb = new StringBuilder(BaseScript());
        sb.Append($"add rule {T} postrouting ip saddr {net.Subnet} oifname != \"{net.Bridge}\" masquerade comment \"{comment}\"\n");
        sb.Append($"add rule {T} postrouting ip saddr 127.0.0.0/8 oifname \"{net.Bridge}\" masquerade comment \"{comment}\"\n");
        await ApplyAsync($"adding NAT for network \"{net.Name}\"", sb.ToString(), ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>DNAT for each published port, in prerouting (from outside) and output (from the host, loopback included).</summary>
    public Task AddPortForwardsAsync(string container, string address, IReadOnlyList<PortMapping> ports, CancellationToken ct)
    {
        var sb = new StringBuilder(BaseScript());
        var comment = ContainerComment(container);
        foreach (var p in ports)
            foreach (var chain in new[] { "prerouting", "output" })
                sb.Append($"add rule {T} {chain} fib daddr type local {p.Protocol} dport {p.HostPort} dnat ip to {address}:{p.ContainerPort} comment \"{comment}\"\n");
        return ApplyAsync($"publishing ports {string.Join(", ", ports)} of \"{container}\"", sb.ToString(), ct);
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
    }

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
        foreach (var item in (JsonNode.Parse(r.StdOut)?["nftables"] as JsonArray ?? []).OfType<JsonObject>())
            if (item["rule"] is JsonObject rule)
                rules.Add(new NftRule((string?)rule["chain"] ?? "", (long?)rule["handle"] ?? 0, (string?)rule["comment"]));
        return new NftTable(true, rules);
    }

    private Task ApplyAsync(string action, string script, CancellationToken ct) =>
        host.CheckAsync(action, "nft", ["-f", "-"], script, ct);
}

/// <summary>The state of <c>table inet volt</c>.</summary>
public sealed record NftTable(bool Present, IReadOnlyList<NftRule> Rules);

/// <summary>One rule: its chain, kernel handle and owner comment.</summary>
public sealed record NftRule(string Chain, long Handle, string? Comment);
