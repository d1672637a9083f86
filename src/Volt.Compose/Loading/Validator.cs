using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Workloads.Model;

namespace Volt.Compose.Loading;

/// <summary>
/// After merging: profiles applied (services of profiles not enabled move to <see cref="StackModel.Disabled"/>), then
/// every reference checked — a missing dependency, network, volume, config or secret, or a dependency cycle, is an
/// exit-12 error at the place that names it.
/// </summary>
/// <summary>The key path of a workload's section, for messages.</summary>
public static class ValidatorSections
{
    public static string Of(StackModel m, WorkloadSpec w) => Validator.Section(m, w);
}

internal static class Validator
{
    public static void Validate(StackModel m, IReadOnlyList<string> profiles)
    {
        var all = profiles.Contains("*");
        foreach (var (name, w) in m.Workloads.ToList())
            if (w.Profiles.Count > 0 && !all && !w.Profiles.Any(profiles.Contains))
            {
                m.Workloads.Remove(name);
                m.Disabled.Add(name);
            }
        foreach (var w in m.Workloads.Values)
        {
            var path = Section(m, w);
            foreach (var (dep, d) in w.DependsOn.ToList())
            {
                if (m.Workloads.ContainsKey(dep)) continue;
                if (!d.Required) { w.DependsOn.Remove(dep); continue; }
                var why = m.Disabled.Contains(dep) ? "which is in a profile that is not enabled" : "which is not defined";
                throw ComposeException.At(d.Pos ?? w.Pos, $"{path}.depends_on", $"depends on \"{dep}\", {why}");
            }
            if (w.Kind == WorkloadKind.Container)
            {
                if (w.Image is null && w.Build is null) throw ComposeException.At(w.Pos, path, "needs image: or build:");
                if (w.ContainerName is not null && w.Deploy.Replicas > 1) throw ComposeException.At(w.Pos, path, "container_name cannot be used with deploy.replicas above 1");
                if (w.NetworkMode is not null && w.NetworkMode is not ("bridge" or "none" or "host") ) throw ComposeException.At(w.Pos, $"{path}.network_mode", $"\"{w.NetworkMode}\" is not supported (bridge, none or host)");
            }
            foreach (var n in w.Networks.Keys)
                if (n != "default" && !m.Networks.ContainsKey(n)) throw ComposeException.At(w.Pos, $"{path}.networks", $"network \"{n}\" is not defined under networks:");
            foreach (var v in w.Volumes)
                if (v.Type == "volume" && v.Source is { } s && !m.Volumes.ContainsKey(s)) throw ComposeException.At(w.Pos, $"{path}.volumes", $"volume \"{s}\" is not defined under volumes:");
            foreach (var c in w.Configs)
                if (!m.Configs.ContainsKey(c.Source)) throw ComposeException.At(w.Pos, $"{path}.configs", $"config \"{c.Source}\" is not defined under configs:");
            foreach (var c in w.Secrets)
                if (!m.Secrets.ContainsKey(c.Source)) throw ComposeException.At(w.Pos, $"{path}.secrets", $"secret \"{c.Source}\" is not defined under secrets:");
        }
        Cycles(m);
        DefaultNetwork(m);
        StaticAddresses(m);
    }

    /// <summary>
    /// <c>ipv4_address</c>: inside its network's <c>subnet:</c> (a network without one gets a free /24 only at
    /// <c>up</c>, so a static address needs it), not the network, gateway (first host) or broadcast address, one
    /// instance only (no replicas, no start-first twin), and not given to two services. What another workload holds
    /// is checked at <c>up</c>.
    /// </summary>
    private static void StaticAddresses(StackModel m)
    {
        var seen = new Dictionary<(string Net, uint Ip), string>();
        foreach (var w in m.Workloads.Values)
            foreach (var (net, sn) in w.Networks)
            {
                if (sn.Ipv4Address is not { } ip) continue;
                var at = $"{Section(m, w)}.networks.{net}.ipv4_address";
                var pos = sn.Ipv4Pos ?? w.Pos;
                if (w.Deploy.Replicas > 1) throw ComposeException.At(pos, at, "a static address cannot be given to deploy.replicas above 1 (one address per instance)");
                if (w.Deploy.UpdateOrder == "start-first") throw ComposeException.At(pos, at, "a static address cannot be used with update_config.order: start-first (the new instance would need the address the old one holds)");
                var n = m.Networks.GetValueOrDefault(net);
                if (n is null || n.External) continue;
                if (n.Subnet is not { } subnet) throw ComposeException.At(pos, at, $"network \"{net}\" needs subnet: for a static address (without one Volt picks a free /24 at up)");
                var slash = subnet.IndexOf('/');
                var a = Address(ip);
                if (slash < 0 || !int.TryParse(subnet[(slash + 1)..], out var prefix) || prefix is < 8 or > 30 || !TryAddress(subnet[..slash], out var netAddr)) continue;
                var mask = uint.MaxValue << (32 - prefix);
                var first = netAddr & mask;
                var broadcast = first | ~mask;
                if ((a & mask) != first) throw ComposeException.At(pos, at, $"{ip} is outside network \"{net}\"'s subnet {subnet}");
                if (a == first || a == broadcast) throw ComposeException.At(pos, at, $"{ip} is the {(a == first ? "network" : "broadcast")} address of {subnet}");
                if (a == first + 1) throw ComposeException.At(pos, at, $"{ip} is the gateway of {subnet} (the bridge's own address)");
                if (seen.TryGetValue((net, a), out var other)) throw ComposeException.At(pos, at, $"{ip} is already given to service \"{other}\" on network \"{net}\"");
                seen[(net, a)] = w.Name;
            }
    }

    private static uint Address(string ip) => TryAddress(ip, out var a) ? a : 0;

    private static bool TryAddress(string text, out uint address)
    {
        address = 0;
        if (!System.Net.IPAddress.TryParse(text, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        var b = ip.GetAddressBytes();
        address = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        return true;
    }

    /// <summary>Containers that name no network join the stack's <c>default</c> network, as in compose.</summary>
    private static void DefaultNetwork(StackModel m)
    {
        var used = false;
        foreach (var w in m.Workloads.Values.Where(w => w.Kind == WorkloadKind.Container && w.NetworkMode is null or "bridge"))
        {
            if (w.Networks.Count == 0) w.Networks["default"] = new ServiceNetwork([], null);
            used |= w.Networks.ContainsKey("default");
        }
        if (used && !m.Networks.ContainsKey("default")) m.Networks["default"] = new NetworkSpec { Name = "default" };
    }

    internal static string Section(StackModel m, WorkloadSpec w) => (w.Kind, m.Format) switch
    {
        (WorkloadKind.Container, "constellation") => $"containers.{w.Name}",
        (WorkloadKind.Container, _) or (WorkloadKind.Service, _) => $"services.{w.Name}",
        (WorkloadKind.Task, _) => $"tasks.{w.Name}",
        _ => $"vms.{w.Name}",
    };

    private static void Cycles(StackModel m)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new List<string>();
        void Visit(string n)
        {
            state[n] = 1;
            stack.Add(n);
            foreach (var dep in m.Workloads[n].DependsOn.Keys)
            {
                if (state.GetValueOrDefault(dep) == 1)
                {
                    var cycle = stack[stack.IndexOf(dep)..].Append(dep);
                    var w = m.Workloads[n];
                    throw ComposeException.At(w.DependsOn[dep].Pos ?? w.Pos, $"{Section(m, w)}.depends_on", $"dependency cycle: {string.Join(" -> ", cycle)}");
                }
                if (state.GetValueOrDefault(dep) == 0) Visit(dep);
            }
            stack.RemoveAt(stack.Count - 1);
            state[n] = 2;
        }
        foreach (var n in m.Workloads.Keys) if (state.GetValueOrDefault(n) == 0) Visit(n);
    }
}
