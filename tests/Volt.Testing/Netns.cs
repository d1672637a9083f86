namespace Volt.Testing;

/// <summary>
/// The network namespaces tests make (<c>ip netns add</c>) are entered with <c>nsenter --net=/run/netns/NAME</c>, never
/// <c>ip netns exec</c>, which also remounts /sys (hiding /sys/fs/cgroup) and binds /etc/netns over /etc (MACHINE.md).
/// </summary>
public static class Netns
{
    /// <summary>The namespace's file under /run/netns.</summary>
    public static string File(string name) => "/run/netns/" + name;

    /// <summary>nsenter's argument that enters <paramref name="name"/>'s network namespace.</summary>
    public static string Enter(string name) => "--net=" + File(name);
}
