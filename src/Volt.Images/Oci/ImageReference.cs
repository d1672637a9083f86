using System.Text.RegularExpressions;
using Volt.Core.Errors;

namespace Volt.Images.Oci;

/// <summary>
/// A parsed image reference <c>[host[:port]/]repo/path[:tag][@digest]</c>. Docker-style short names
/// (<c>busybox</c>) resolve to <c>docker.io/library/busybox:latest</c> for pulls; local names (build-from-dir,
/// import) keep the host-less form as written.
/// </summary>
public sealed partial record ImageReference(string? Registry, string Repository, string Tag, string? Digest)
{
    public const string DefaultTag = "latest";
    public const string DockerHub = "docker.io";

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\z")]
    private static partial Regex RepoPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex TagPattern();

    /// <summary>A registry host as a URI can hold it: DNS labels or a bracketed IPv6 address, then an optional port.</summary>
    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?\z")]
    private static partial Regex HostPattern();

    /// <summary>The name without tag: <c>host/repo</c> or just <c>repo</c>.</summary>
    public string Name => Registry is null ? Repository : $"{Registry}/{Repository}";

    public override string ToString() => Digest is null ? $"{Name}:{Tag}" : $"{Name}@{Digest}";

    /// <summary>The tag or digest to ask a registry for.</summary>
    public string Reference => Digest ?? Tag;

    /// <summary>Parses a reference; exit 2 naming what is wrong.</summary>
    public static ImageReference Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw VoltException.Usage("image reference is empty");
        var rest = text;
        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0) { digest = rest[(at + 1)..]; rest = rest[..at]; if (!Volt.Storage.Cas.Digest.TryParse(digest, out _) || !digest.Contains(':')) throw VoltException.Usage($"invalid image reference \"{text}\": bad digest"); }
        string tag = DefaultTag;
        var slash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > slash) { tag = rest[(colon + 1)..]; rest = rest[..colon]; }
        if (!TagPattern().IsMatch(tag)) throw VoltException.Usage($"invalid image reference \"{text}\": bad tag \"{tag}\"");
        string? registry = null;
        var first = rest.IndexOf('/');
        if (first > 0)
        {
            var head = rest[..first];
            if (head.Contains('.') || head.Contains(':') || head == "localhost") { registry = head; rest = rest[(first + 1)..]; }
        }
        if (registry is not null && (HostPattern().Match(registry) is not { Success: true } host
            || (host.Groups["port"].Success && int.Parse(host.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) is 0 or > 65535)))
            throw VoltException.Usage($"invalid image reference \"{text}\": registry \"{registry}\" must be a host name or address with an optional port (1-65535)");
        if (!RepoPattern().IsMatch(rest)) throw VoltException.Usage($"invalid image reference \"{text}\": repository \"{rest}\" must be lowercase [a-z0-9._-] segments");
        return new ImageReference(registry, rest, tag, digest);
    }

    /// <summary>The reference a pull talks to: short names go to Docker Hub's <c>library/</c>.</summary>
    public ImageReference ForPull()
    {
        if (Registry is not null) return this;
        return this with { Registry = DockerHub, Repository = Repository.Contains('/') ? Repository : "library/" + Repository };
    }

    /// <summary>Host as dialled (docker.io's API lives at registry-1.docker.io).</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry ?? throw new InvalidOperationException("no registry");

    /// <summary>Loopback registries are spoken to over plain HTTP.</summary>
    public bool IsLoopback => Registry is not null && (Registry.StartsWith("127.", StringComparison.Ordinal) || Registry.StartsWith("localhost", StringComparison.Ordinal) || Registry.StartsWith("[::1]", StringComparison.Ordinal));
}
