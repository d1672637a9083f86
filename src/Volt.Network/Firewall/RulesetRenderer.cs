using System.Text;
using Volt.Network.State;

namespace Volt.Network.Firewall;

/// <summary>
/// Renders the whole of <c>table inet volt</c> from the records (networks, attachments, firewall rules) as one
/// <c>nft -f</c> script: <c>add table</c> + <c>delete table</c> + the full table, which the kernel applies as one
/// transaction (the old table stays until the new one is complete). Conntrack entries live outside the table, so
/// established connections (and their NAT bindings) survive.
/// <code>
/// table inet volt {
///   set bridges { type ifname; elements = { "volt0", "volt-back" } }
///   set wl_web  { type ipv4_addr; elements = { 10.0.0.2 } }       # one per workload a rule names; updated in place
///   chain prerouting / output / postrouting                         # DNAT for --publish, masquerade (not internal)
///   chain forward { type filter hook forward priority filter; policy accept;
///     ct state established,related accept; ct state invalid drop; jump user-forward
///     iifname B oifname B accept                                    # one network talks freely
///     iifname B drop; oifname B drop                                # --internal: no way out, no way in
///     oifname @bridges ct status dnat [iifname @bridges] accept     # published ports (only from bridges when the
///                                                                   #   host's input policy drops)
///     iifname @bridges oifname @bridges drop                        # different networks are isolated
///     iifname @bridges accept; oifname @bridges drop }              # out to the world; nothing unsolicited in
///   chain input  { … ct state established,related accept; jump user-input; internal: DNS to the gateway only }
///   chain filter-output { … jump user-output }                     # rules --from host
///   chain user-forward / user-input / user-output { named rules in order, comment "fw:NAME" }
/// }
/// table bridge volt { … }                                          # same-network rules without br_netfilter (below)
/// </code>
/// <para>
/// Two workloads on one network talk through the bridge at layer 2. Where br_netfilter hands bridged IPv4 to the inet
/// hooks (<c>net.bridge.bridge-nf-call-iptables = 1</c>) they cross <c>forward</c> above (in and out on the bridge)
/// and the named rules apply statefully. Where it does not (the module is not loaded, or the sysctl is 0), the same
/// named rules are rendered into <c>table bridge volt</c>'s forward hook as well, for frames between Volt's ports
/// (<c>vh-*</c> veths, <c>vt-*</c> TAPs), in the same transaction: there is no bridge conntrack on every kernel, so a
/// deny stops new TCP connections (SYN without ACK: established ones and the reverse direction keep working) and every
/// other packet of the matched protocol (see <see cref="BridgeRuleLines"/>).
/// </para>
/// </summary>
public static class RulesetRenderer
{
    public const string T = "inet volt";
    public const string BridgeTable = "bridge volt";

    public static string SetName(string workload) => "wl_" + workload.Replace('.', '_').Replace('-', '_');

    /// <summary>The rules of <c>table inet volt</c> in a script <see cref="Render"/> made (its chains' 4-space lines).</summary>
    public static int CountInetRules(string script)
    {
        var n = 0;
        foreach (var line in script.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("add table bridge")) break;
            if (line.StartsWith("    ") && !line.StartsWith("     ")) n++;
        }
        return n;
    }

    /// <summary>Every workload a rule names (its set must exist).</summary>
    public static IEnumerable<string> NamedWorkloads(IEnumerable<FirewallRule> rules) =>
        rules.SelectMany(r => new[] { r.Source, r.Destination })
             .Where(e => e.Kind == EndpointKind.Workload).Select(e => e.Value).Distinct(StringComparer.Ordinal);

    /// <param name="hostInputDrops">True when some other table's input hook has policy drop: published ports are then
    /// not reachable from outside unless a rule allows them (docs/firewall.md, "Published ports and the host's policy").</param>
    /// <param name="bridgeFilter">True when bridged frames do not reach the inet hooks (no br_netfilter): same-network
    /// rules then go into <c>table bridge volt</c> too (replaced in the same transaction). False leaves that table out
    /// of the script (the caller drops one left from before).</param>
    public static string Render(IReadOnlyList<NetworkRecord> networks, IReadOnlyList<AttachmentRecord> attachments,
        IReadOnlyList<FirewallRule> rules, bool hostInputDrops, bool bridgeFilter = false)
    {
        var sb = new StringBuilder();
        sb.Append($"add table {T}\ndelete table {T}\n");
        sb.Append($"table {T} {{\n");
        sb.Append("  set bridges { type ifname;");
        if (networks.Count > 0) sb.Append(" elements = { ").AppendJoin(", ", networks.Select(n => $"\"{n.Bridge}\"")).Append(" };");
        sb.Append(" }\n");
        AppendWorkloadSets(sb, attachments, rules);

        sb.Append("  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n");
        foreach (var a in attachments) foreach (var line in PortForwards(a)) sb.Append("    ").Append(line).Append('\n');
        sb.Append("  }\n  chain output { type nat hook output priority -100; policy accept;\n");
        foreach (var a in attachments) foreach (var line in PortForwards(a)) sb.Append("    ").Append(line).Append('\n');
        sb.Append("  }\n  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in networks) foreach (var line in Masquerade(n)) sb.Append("    ").Append(line).Append('\n');
        sb.Append("  }\n");

        sb.Append("  chain forward { type filter hook forward priority filter; policy accept;\n");
        sb.Append("    ct state established,related accept comment \"volt\"\n    ct state invalid drop comment \"volt\"\n");
        sb.Append("    jump user-forward comment \"volt\"\n");
        foreach (var n in networks) foreach (var line in ForwardRules(n)) sb.Append("    ").Append(line).Append('\n');
        // Published ports: from anywhere when the host's input policy accepts, else only from Volt's own bridges.
        sb.Append($"    oifname @bridges ct status dnat {(hostInputDrops ? "iifname @bridges " : "")}accept comment \"volt:published\"\n");
        sb.Append("    iifname @bridges oifname @bridges drop comment \"volt:isolation\"\n");
        sb.Append("    iifname @bridges accept comment \"volt:outbound\"\n    oifname @bridges drop comment \"volt:inbound\"\n  }\n");

        sb.Append("  chain input { type filter hook input priority filter; policy accept;\n");
        sb.Append("    ct state established,related accept comment \"volt\"\n    jump user-input comment \"volt\"\n");
        foreach (var n in networks) foreach (var line in InputRules(n)) sb.Append("    ").Append(line).Append('\n');
        sb.Append("  }\n");
        sb.Append("  chain filter-output { type filter hook output priority filter; policy accept;\n    jump user-output comment \"volt\"\n  }\n");

        var byChain = rules.GroupBy(Chain).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var chain in new[] { "user-forward", "user-input", "user-output" })
        {
            sb.Append($"  chain {chain} {{\n");
            foreach (var r in byChain.GetValueOrDefault(chain) ?? []) sb.Append("    ").Append(RuleLine(r, networks)).Append('\n');
            sb.Append("  }\n");
        }
        sb.Append("}\n");
        // Only where it is needed: a kernel without nft's bridge family would otherwise refuse the whole transaction.
        if (!bridgeFilter) return sb.ToString();
        sb.Append($"add table {BridgeTable}\ndelete table {BridgeTable}\n");
        var forward = byChain.GetValueOrDefault("user-forward") ?? [];
        if (forward.Count > 0) AppendBridgeTable(sb, attachments, forward, networks);
        return sb.ToString();
    }

    private static void AppendBridgeTable(StringBuilder sb, IReadOnlyList<AttachmentRecord> attachments, IReadOnlyList<FirewallRule> forward,
        IReadOnlyList<NetworkRecord> networks)
    {
        sb.Append($"table {BridgeTable} {{\n");
        AppendWorkloadSets(sb, attachments, forward);
        sb.Append("  chain forward { type filter hook forward priority filter; policy accept;\n");
        // Only frames between Volt's own ports; other bridges on the host are not Volt's business.
        sb.Append("    iifname != \"vh-*\" iifname != \"vt-*\" accept comment \"volt\"\n");
        foreach (var r in forward) foreach (var line in BridgeRuleLines(r, networks)) sb.Append("    ").Append(line).Append('\n');
        sb.Append("  }\n}\n");
    }

    private static void AppendWorkloadSets(StringBuilder sb, IReadOnlyList<AttachmentRecord> attachments, IEnumerable<FirewallRule> rules)
    {
        foreach (var w in NamedWorkloads(rules))
        {
            var addrs = attachments.Where(a => a.Container == w).Select(a => a.Address).Distinct().ToList();
            sb.Append($"  set {SetName(w)} {{ type ipv4_addr;");
            if (addrs.Count > 0) sb.Append(" elements = { ").AppendJoin(", ", addrs).Append(" };");
            sb.Append(" }\n");
        }
    }

    private const string NewTcp = "tcp flags & (syn | ack) == syn";

    /// <summary>
    /// A named rule in the bridge table, stateless: an allow accepts what it matches; a deny drops new TCP connections
    /// (SYN without ACK) and all matching UDP (with a port) or all other matching IPv4 packets (without one).
    /// </summary>
    public static IEnumerable<string> BridgeRuleLines(FirewallRule r, IReadOnlyList<NetworkRecord> networks)
    {
        if (r.Action == "allow") { yield return RuleLine(r, networks); yield break; }
        var match = string.Join(' ', new[] { Match("saddr", r.Source, networks), Match("daddr", r.Destination, networks) }.OfType<string>());
        var m = match.Length > 0 ? match + " " : "ip version 4 ";
        var comment = $"comment \"fw:{r.Name}\"";
        if (r.Port is { } port)
        {
            if (r.Protocol is null or "tcp") yield return $"{m}tcp dport {port} {NewTcp} drop {comment}";
            if (r.Protocol is null or "udp") yield return $"{m}udp dport {port} drop {comment}";
            yield break;
        }
        yield return $"{m}meta l4proto tcp {NewTcp} drop {comment}";
        yield return $"{m}meta l4proto != tcp drop {comment}";
    }

    /// <summary>DNAT lines for one attachment's published ports (the same in prerouting and output).</summary>
    public static IEnumerable<string> PortForwards(AttachmentRecord a) =>
        a.Ports.Select(p => $"{(p.HostIp is { } ip ? $"ip daddr {ip}" : "fib daddr type local")} {p.Protocol} dport {p.HostPort} dnat ip to {a.Address}:{p.ContainerPort} comment \"ctr:{a.Container}\"");

    public static IEnumerable<string> Masquerade(NetworkRecord n)
    {
        if (n.Internal) yield break;
        yield return $"ip saddr {n.Subnet} oifname != \"{n.Bridge}\" masquerade comment \"net:{n.Name}\"";
        yield return $"ip saddr 127.0.0.0/8 oifname \"{n.Bridge}\" masquerade comment \"net:{n.Name}\"";
        if (n.Subnet6 is { } s6) yield return $"ip6 saddr {s6} oifname != \"{n.Bridge}\" masquerade comment \"net:{n.Name}\"";
    }

    public static IEnumerable<string> ForwardRules(NetworkRecord n)
    {
        yield return $"iifname \"{n.Bridge}\" oifname \"{n.Bridge}\" accept comment \"net:{n.Name}\"";
        if (!n.Internal) yield break;
        yield return $"iifname \"{n.Bridge}\" drop comment \"net:{n.Name}\"";
        yield return $"oifname \"{n.Bridge}\" drop comment \"net:{n.Name}\"";
    }

    /// <summary>Internal networks reach the host only for DNS on the gateway (volt-dns); others follow the input policy.</summary>
    public static IEnumerable<string> InputRules(NetworkRecord n)
    {
        if (!n.Internal) yield break;
        yield return $"iifname \"{n.Bridge}\" ip daddr {n.Gateway} meta l4proto {{ tcp, udp }} th dport 53 accept comment \"net:{n.Name}\"";
        yield return $"iifname \"{n.Bridge}\" drop comment \"net:{n.Name}\"";
    }

    public static string Chain(FirewallRule r) =>
        r.Destination.Kind == EndpointKind.Host ? "user-input" : r.Source.Kind == EndpointKind.Host ? "user-output" : "user-forward";

    public static string RuleLine(FirewallRule r, IReadOnlyList<NetworkRecord> networks)
    {
        var parts = new List<string>();
        if (Match("saddr", r.Source, networks) is { } s) parts.Add(s);
        if (Match("daddr", r.Destination, networks) is { } d) parts.Add(d);
        if (r.Port is { } port)
            parts.Add(r.Protocol is { } proto ? $"{proto} dport {port}" : $"meta l4proto {{ tcp, udp }} th dport {port}");
        parts.Add(r.Action == "allow" ? "accept" : "drop");
        parts.Add($"comment \"fw:{r.Name}\"");
        return string.Join(' ', parts);
    }

    private static string? Match(string dir, FirewallEndpoint e, IReadOnlyList<NetworkRecord> networks) => e.Kind switch
    {
        EndpointKind.Workload => $"ip {dir} @{SetName(e.Value)}",
        EndpointKind.Cidr => $"ip {dir} {e.Value}",
        // A network that was deleted matches nothing (an empty anonymous set is not allowed: a never-true match instead).
        EndpointKind.Network => networks.FirstOrDefault(n => n.Name == e.Value) is { } n ? $"ip {dir} {n.Subnet}" : $"ip {dir} 0.0.0.0/32 ip {dir} 255.255.255.255/32",
        _ => null,
    };
}
