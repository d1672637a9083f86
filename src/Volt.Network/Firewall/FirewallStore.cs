using Volt.Network.State;

namespace Volt.Network.Firewall;

/// <summary>The rule list, <c>networks/firewall/rules.json</c>, written whole and atomically (changed under the network lock).</summary>
public sealed class FirewallStore(NetworkStore store)
{
    // A subdirectory: every *.json directly in networks/ is a network record.
    public string File => Path.Combine(store.Dir, "firewall", "rules.json");

    public IReadOnlyList<FirewallRule> Rules() =>
        NetworkStore.Read(File, FirewallJson.Default.FirewallFile)?.Rules ?? [];

    public void Save(IReadOnlyList<FirewallRule> rules) =>
        NetworkStore.Write(File, new FirewallFile(rules), FirewallJson.Default.FirewallFile);
}
