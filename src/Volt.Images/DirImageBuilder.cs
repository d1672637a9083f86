using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Volt.Images.Oci;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images;

/// <summary>How a directory becomes runnable: the config fields <c>build-from-dir</c> writes.</summary>
public sealed record DirImageOptions
{
    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public string? Workdir { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
}

/// <summary>
/// <c>volt image build-from-dir</c>: stores a directory with the CAS's own tree builder (parallel hashing, one
/// syncfs) under a temporary <c>tmp/image-build/…</c> tree ref, writes a fresh OCI config (host architecture,
/// now as <c>created</c>), then the image record and ref, and drops the temporary ref.
/// </summary>
public sealed class DirImageBuilder(CasStore cas, int parallelism, TimeProvider? time = null)
{
    public PullResult Build(string dir, ImageReference name, DirImageOptions options, BuildCounters? counters = null, CancellationToken ct = default)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var tempRef = $"tmp/image-build/{Environment.ProcessId}-{Guid.NewGuid():N}";
        var built = new TreeBuilder(cas, parallelism).Build(dir, tempRef, counters, ct);
        try
        {
            var config = Config(options, now);
            using var _ = cas.WriterLock();
            var image = new ImageStore(cas).Save(name, built.Manifest, built.Bytes, config, null, $"linux/{HostArchitecture}");
            return new PullResult(image, 0, built.Files, built.NewObjects, built.NewBytes, built.Elapsed);
        }
        finally
        {
            cas.Refs.Delete(tempRef);
        }
    }

    public static string HostArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static byte[] Config(DirImageOptions o, DateTimeOffset now)
    {
        static JsonArray Arr(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)i)]);
        var cfg = new JsonObject { ["Env"] = Arr(o.Env) };
        if (o.Entrypoint.Count > 0) cfg["Entrypoint"] = Arr(o.Entrypoint);
        if (o.Cmd.Count > 0) cfg["Cmd"] = Arr(o.Cmd);
        if (o.Workdir is not null) cfg["WorkingDir"] = o.Workdir;
        if (o.User is not null) cfg["User"] = o.User;
        if (o.ExposedPorts.Count > 0)
        {
            var ports = new JsonObject();
            foreach (var p in o.ExposedPorts) ports[p.Contains('/') ? p : p + "/tcp"] = new JsonObject();
            cfg["ExposedPorts"] = ports;
        }
        var root = new JsonObject
        {
            ["created"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"),
            ["architecture"] = HostArchitecture,
            ["os"] = "linux",
            ["config"] = cfg,
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
        };
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
