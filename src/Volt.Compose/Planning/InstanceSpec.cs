using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Volt.Compose.Planning;

/// <summary>
/// One instance of a workload as the runtime creates it: every name already prefixed by the stack, every path
/// absolute. Its <see cref="Hash"/> decides "unchanged" or "recreate".
/// </summary>
public sealed record InstanceSpec
{
    public required string Name { get; init; }
    public required string Service { get; init; }
    public int Index { get; init; } = 1;
    public required string Image { get; init; }
    /// <summary>
    /// <c>container</c> (compose services, Constellation <c>containers:</c>), or a Constellation host workload:
    /// <c>service</c> (a unit run by systemd or voltd), <c>task</c> (a timer + service pair, <see cref="Schedule"/>) or
    /// <c>vm</c> (a QEMU guest from <see cref="Image"/>, <see cref="Cpu"/> vCPUs and <see cref="Memory"/>).
    /// </summary>
    // Getters with a fallback: a stack.json written before these keys existed must read as a container without tmpfs.
    public string Kind { get => _kind ?? InstanceKinds.Container; init => _kind = value; }
    private readonly string? _kind;
    /// <summary>A task's calendar event (systemd.time).</summary>
    public string? Schedule { get; init; }
    public string? Description { get; init; }
    /// <summary>entrypoint + command, or empty for the image's own.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>HOST:CONTAINER[:ro] bind mounts (named volumes, secrets and configs already turned into host paths).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];
    /// <summary>tmpfs mounts: <c>/PATH[:mode=OCTAL,size=BYTES,ro]</c> (nspawn's <c>--tmpfs</c>).</summary>
    public IReadOnlyList<string> Tmpfs { get => _tmpfs ?? []; init => _tmpfs = value; }
    private readonly IReadOnlyList<string>? _tmpfs;
    /// <summary>[HOSTIP:]HOSTPORT:CONTAINERPORT[/udp].</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];
    public IReadOnlyList<InstanceNetwork> Networks { get; init; } = [];
    public string? Workdir { get; init; }
    public string? User { get; init; }
    public string Restart { get; init; } = "no";
    public string? Memory { get; init; }
    /// <summary>A VM's kernel profile (null: the VM engine's default).</summary>
    public string? Kernel { get; init; }
    public string? Cpu { get; init; }
    public string? Pids { get; init; }
    public string? HealthCmd { get; init; }
    public string? HealthInterval { get; init; }
    public string? HealthTimeout { get; init; }
    public string? HealthStartPeriod { get; init; }
    public string? HealthRetries { get; init; }
    public bool NoHealthcheck { get; init; }
    public bool Init { get; init; }
    public double StopGraceSeconds { get; init; } = 10;
    /// <summary><c>recreate</c> (stop, then start the new one) or <c>start-first</c>.</summary>
    public string Strategy { get; init; } = "recreate";
    /// <summary>The sandbox: <c>cap_add</c>, <c>cap_drop</c>, <c>security_opt</c>, <c>x-volt-sandbox</c> as written.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    public IReadOnlyDictionary<string, string> Sandbox { get; init; } = new Dictionary<string, string>();
    /// <summary>compose's <c>build:</c>: how to make <see cref="Image"/> when the store lacks it (not stored: the image's
    /// identity, <see cref="ImageId"/>, is what the hash takes).</summary>
    [JsonIgnore] public Model.BuildSpec? Build { get; init; }
    /// <summary>Image identity the runtime resolved (a digest), so a re-pulled tag recreates too.</summary>
    public string? ImageId { get; init; }

    /// <summary>Whether the instance has a health check (its own or, unknown here, none).</summary>
    [JsonIgnore] public bool HasHealthcheck => HealthCmd is not null && !NoHealthcheck;

    /// <summary>SHA-256 over every setting (not the index, strategy or grace period, which need no new instance).</summary>
    [JsonIgnore]
    public string Hash
    {
        get
        {
            var sb = new StringBuilder();
            void Add(string? s) => sb.Append(s ?? "\u0001").Append('\0');
            void All(IEnumerable<string> l) { foreach (var s in l) Add(s); sb.Append('\u0002'); }
            Add(Image); Add(ImageId); All(Command); All(Env); All(Volumes); All(Publish);
            All(Networks.Select(n => $"{n.Network}|{string.Join(",", n.Aliases)}|{n.Ipv4Address}"));
            Add(Workdir); Add(User); Add(Restart); Add(Memory); Add(Cpu); Add(Pids);
            Add(HealthCmd); Add(HealthInterval); Add(HealthTimeout); Add(HealthStartPeriod); Add(HealthRetries);
            Add(NoHealthcheck ? "1" : "0"); Add(Init ? "1" : "0");
            if (Kind != InstanceKinds.Container) { Add(Kind); Add(Schedule); Add(Description); }
            // Only when set, so the hashes of stacks written before these keys existed stay the same.
            if (Tmpfs.Count > 0) { sb.Append("tmpfs\0"); All(Tmpfs); }
            if (Kernel is not null) { sb.Append("kernel\0"); Add(Kernel); }
            if (CapAdd.Count + CapDrop.Count + SecurityOpt.Count + Sandbox.Count > 0)
            {
                All(CapAdd); All(CapDrop); All(SecurityOpt);
                All(Sandbox.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
            }
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
        }
    }
}

/// <summary>Values of <see cref="InstanceSpec.Kind"/>.</summary>
public static class InstanceKinds
{
    public const string Container = "container", Service = "service", Task = "task", Vm = "vm";
}

/// <summary>A Volt network the instance joins, with the DNS names it answers there (the service name first).</summary>
public sealed record InstanceNetwork(string Network, IReadOnlyList<string> Aliases, string? Ipv4Address);
