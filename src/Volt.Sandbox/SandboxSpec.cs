using System.Text.Json.Serialization;
using Volt.Core.Errors;
using Volt.Sandbox.Policy;
using Volt.Sandbox.Seccomp;

namespace Volt.Sandbox;

/// <summary><c>--sandbox</c>: what happens when this kernel cannot enforce a requested right.</summary>
[JsonConverter(typeof(SandboxModeJson))]
public enum SandboxMode
{
    /// <summary>Start anyway and say what was dropped and why (the default).</summary>
    [JsonStringEnumMemberName("best-effort")] BestEffort,
    /// <summary>Refuse to start (exit 10 naming the right and the ABI it needs).</summary>
    [JsonStringEnumMemberName("strict")] Strict,
}

/// <summary>
/// A workload's sandbox as the user asked for it: a Landlock profile or policy FILE, a seccomp profile or FILE, the
/// capabilities it keeps (none unless added), the mode. Stored in the workload's config; planned for this kernel at
/// every start (<see cref="Planning.SandboxPlanner"/>). Compose/Constellation files build one with
/// <see cref="FromCompose"/>; the CLI with <see cref="Parse"/>.
/// </summary>
public sealed record SandboxSpec
{
    public string Landlock { get; init; } = "default";
    public string Seccomp { get; init; } = "default";
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public SandboxMode Mode { get; init; } = SandboxMode.BestEffort;

    /// <summary>Every workload's sandbox unless told otherwise.</summary>
    public static readonly SandboxSpec Default = new();

    /// <summary><c>--sandbox unconfined</c> (or both profiles unconfined, no capability flags): no helper, nothing changes.</summary>
    public static readonly SandboxSpec Unconfined = new() { Landlock = "unconfined", Seccomp = "unconfined" };

    [JsonIgnore]
    public bool IsUnconfined => Landlock == "unconfined" && Seccomp == "unconfined" && CapAdd.Count == 0 && CapDrop.Count == 0;

    /// <summary>The kept capability set (exit 2 for an unknown name).</summary>
    public ulong Capabilities() => Policy.Capabilities.Resolve(CapAdd, CapDrop);

    /// <summary>
    /// The flags of <c>volt run</c>, <c>volt container create</c>, <c>volt service create</c>, <c>volt sandbox run</c>,
    /// checked: unknown capabilities exit 2; an unknown mode exit 2; an unknown profile or a bad policy/profile FILE
    /// exit 12 with every problem named (<paramref name="exists"/> checks a FILE policy's paths; null: later).
    /// </summary>
    public static SandboxSpec Parse(string? landlock, string? seccomp, IReadOnlyList<string>? capAdd, IReadOnlyList<string>? capDrop,
        string? sandbox, string etc, Func<string, bool>? exists)
    {
        var spec = new SandboxSpec
        {
            Landlock = landlock ?? "default",
            Seccomp = seccomp ?? "default",
            CapAdd = capAdd ?? [],
            CapDrop = capDrop ?? [],
        };
        switch (sandbox)
        {
            case null or "best-effort": break;
            case "strict": spec = spec with { Mode = SandboxMode.Strict }; break;
            case "unconfined" or "off":
                if (landlock is not null && landlock != "unconfined" || seccomp is not null && seccomp != "unconfined")
                    throw new VoltException(ExitCode.Usage, "--sandbox unconfined cannot be combined with --landlock/--seccomp profiles");
                spec = spec with { Landlock = "unconfined", Seccomp = "unconfined" };
                break;
            default: throw new VoltException(ExitCode.Usage, $"--sandbox must be best-effort, strict or unconfined (got \"{sandbox}\")");
        }
        return spec.Validated(etc, exists);
    }

    /// <summary>Checks every part (see <see cref="Parse"/>); returns this spec with FILE paths made absolute.</summary>
    public SandboxSpec Validated(string etc, Func<string, bool>? exists)
    {
        Capabilities();
        var spec = this with
        {
            Landlock = LandlockProfiles.IsFile(Landlock) ? Path.GetFullPath(Landlock) : Landlock,
            Seccomp = SeccompProfiles.IsFile(Seccomp) ? Path.GetFullPath(Seccomp) : Seccomp,
        };
        if (spec.Landlock != "unconfined") LandlockProfiles.Resolve(spec.Landlock, etc, exists);
        SeccompProfiles.Validate(spec.Seccomp);
        return spec;
    }

    /// <summary>
    /// A compose/Constellation service's keys: <c>cap_add</c>, <c>cap_drop</c>, <c>security_opt</c>
    /// (<c>seccomp=PROFILE|FILE</c>, <c>landlock=PROFILE|FILE</c>, <c>no-new-privileges[:true]</c>,
    /// <c>sandbox=best-effort|strict|unconfined</c>) and <c>x-volt-sandbox</c> (a map with <c>landlock</c>,
    /// <c>seccomp</c>, <c>mode</c>; it wins over security_opt). Same checks and exit codes as <see cref="Parse"/>.
    /// </summary>
    public static SandboxSpec FromCompose(IReadOnlyList<string>? capAdd, IReadOnlyList<string>? capDrop, IReadOnlyList<string>? securityOpt,
        IReadOnlyDictionary<string, string>? xVoltSandbox, string etc, Func<string, bool>? exists = null)
    {
        string? landlock = null, seccomp = null, mode = null;
        var errors = new List<string>();
        foreach (var opt in securityOpt ?? [])
        {
            var (k, v) = opt.IndexOfAny(['=', ':']) is var i and > 0 ? (opt[..i], opt[(i + 1)..]) : (opt, "");
            switch (k)
            {
                case "seccomp": seccomp = v; break;
                case "landlock": landlock = v; break;
                case "sandbox": mode = v; break;
                case "no-new-privileges" when v is "" or "true": break;
                case "no-new-privileges": errors.Add("security_opt no-new-privileges:false: Volt's sandbox always sets no_new_privs (Landlock and seccomp need it)"); break;
                default: errors.Add($"security_opt \"{opt}\" is not supported (seccomp=…, landlock=…, sandbox=…, no-new-privileges)"); break;
            }
        }
        foreach (var (k, v) in xVoltSandbox ?? new Dictionary<string, string>())
        {
            switch (k)
            {
                case "landlock": landlock = v; break;
                case "seccomp": seccomp = v; break;
                case "mode" or "sandbox": mode = v; break;
                default: errors.Add($"x-volt-sandbox: unknown key \"{k}\" (landlock, seccomp, mode)"); break;
            }
        }
        if (errors.Count > 0) throw new VoltException(ExitCode.InvalidConfig, string.Join("; ", errors));
        return Parse(landlock, seccomp, capAdd, capDrop, mode, etc, exists);
    }
}

/// <summary><see cref="SandboxMode"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class SandboxModeJson() : Volt.Core.Json.WordEnumConverter<SandboxMode>((SandboxMode.BestEffort, "best-effort"), (SandboxMode.Strict, "strict"));
