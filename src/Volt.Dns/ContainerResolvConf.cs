using System.Text;
using Volt.Core.IO;

namespace Volt.Dns;

/// <summary>
/// The <c>/etc/resolv.conf</c> a networked container gets: volt-dns at its (first) network's gateway, the network's
/// search domain (<c>NETWORK.volt</c>) so bare workload names resolve by either form. Written into the container's
/// root through <c>/proc/PID/root</c> right after the network is attached, by atomic rename, which replaces a
/// symlink in the image (e.g. to systemd-resolved's stub file) instead of writing through it.
/// </summary>
public static class ContainerResolvConf
{
    public static string Render(string nameserver, IEnumerable<string> searchDomains)
    {
        var sb = new StringBuilder("# Written by volt: volt-dns on the network's gateway (docs/dns.md)\n");
        sb.Append("nameserver ").Append(nameserver).Append('\n');
        var search = searchDomains.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (search.Count > 0) sb.Append("search ").Append(string.Join(' ', search)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes the file under <paramref name="root"/> (a container root, e.g. <c>/proc/PID/root</c>). Refuses
    /// (false) when the root's <c>/etc</c> is a symlink: resolved from the host it could point anywhere on the host.</summary>
    public static bool Write(string root, string nameserver, IEnumerable<string> searchDomains)
    {
        var etc = Path.Combine(root, "etc");
        var info = new DirectoryInfo(etc);
        if (info.Exists && info.LinkTarget is not null) return false;
        if (!info.Exists)
        {
            if (File.Exists(etc)) return false;
            Directory.CreateDirectory(etc);
        }
        AtomicFile.WriteAllBytes(Path.Combine(etc, "resolv.conf"), Encoding.UTF8.GetBytes(Render(nameserver, searchDomains)), durable: false);
        return true;
    }
}
