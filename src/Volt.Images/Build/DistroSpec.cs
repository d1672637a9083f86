using System.Text;
using System.Text.RegularExpressions;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Images.Build;

/// <summary>
/// What <c>volt image create</c> builds: a distribution (<c>debian</c>, <c>ubuntu</c>), a suite, extra packages, the
/// debootstrap variant, the mirror and the architecture. <see cref="CacheKey"/> is the SHA-256 of their canonical
/// form (packages sorted, duplicates dropped), so the same inputs in any order hit the same cache entry.
/// </summary>
public sealed partial record DistroSpec(string Distro, string Suite, IReadOnlyList<string> Include, string Variant, string Mirror, string Arch)
{
    public static readonly string[] Variants = ["minbase", "buildd", "standard"];

    /// <summary>Parses the flags; exit 2 naming the bad one.</summary>
    /// <param name="from"><c>debian:bookworm</c>, <c>ubuntu:noble</c>…</param>
    /// <param name="hostMirror">The host's apt mirror for Debian (<see cref="AptSources.HostDebianMirror"/>), or null.</param>
    public static DistroSpec Parse(string from, IEnumerable<string> include, string? variant, string? mirror, string? arch, string hostArch, string? hostMirror)
    {
        var parts = from.Split(':', 2);
        if (parts.Length != 2 || parts[1].Length == 0)
            throw VoltException.Usage($"--from \"{from}\": expected DISTRO:SUITE (debian:bookworm, debian:trixie, ubuntu:noble)");
        var distro = parts[0].ToLowerInvariant();
        if (distro is not ("debian" or "ubuntu"))
            throw VoltException.Usage($"--from \"{from}\": unknown distribution \"{parts[0]}\" (debian or ubuntu)");
        var suite = parts[1];
        if (!SuiteRe().IsMatch(suite)) throw VoltException.Usage($"--from \"{from}\": \"{suite}\" is not a suite name");
        var packages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in include.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!PackageRe().IsMatch(item)) throw VoltException.Usage($"--include: \"{item}\" is not a Debian package name");
            packages.Add(item);
        }
        var v = variant ?? "minbase";
        if (!Variants.Contains(v)) throw VoltException.Usage($"--variant \"{v}\": expected {string.Join(", ", Variants)}");
        var a = arch ?? hostArch;
        if (!ArchRe().IsMatch(a)) throw VoltException.Usage($"--arch \"{a}\" is not a Debian architecture name");
        var m = mirror ?? (distro == "debian" ? hostMirror ?? AptSources.DebianDefault : AptSources.UbuntuDefault);
        if (!Uri.TryCreate(m, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https" or "file"))
            throw VoltException.Usage($"--mirror \"{m}\": expected an http(s):// or file:// URL");
        return new DistroSpec(distro, suite, [.. packages], v, m.TrimEnd('/'), a);
    }

    /// <summary>The inputs as one canonical text (what <see cref="CacheKey"/> hashes).</summary>
    public string Canonical => $"volt.distro/v1\ndistro={Distro}\nsuite={Suite}\nvariant={Variant}\narch={Arch}\nmirror={Mirror}\ninclude={string.Join(',', Include)}\n";

    /// <summary>SHA-256 hex of <see cref="Canonical"/>.</summary>
    public string CacheKey => Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(Canonical)));

    /// <summary>A readable directory name for the cached rootfs.</summary>
    public string CacheName => $"{Distro}-{Suite}-{Variant}-{Arch}-{CacheKey[..16]}";

    [GeneratedRegex("^[a-z][a-z0-9.-]{0,63}$")] private static partial Regex SuiteRe();
    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]{0,127}(:[a-z0-9-]+)?$")] private static partial Regex PackageRe();
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")] private static partial Regex ArchRe();
}
