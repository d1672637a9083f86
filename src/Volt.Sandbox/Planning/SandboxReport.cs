using System.Text.Json.Serialization;

namespace Volt.Sandbox.Planning;

/// <summary>A right that this kernel (or this combination of profiles) cannot enforce, and why.</summary>
public sealed record DroppedRight(string Right, string Why, int? NeedsAbi = null);

/// <summary>
/// What a start asked for, what the kernel enforces, and what was dropped and why: shown by <c>volt container
/// inspect</c>, <c>volt service status</c>, <c>volt sandbox check</c> and summarised in the audit line.
/// </summary>
public sealed record SandboxReport
{
    public SandboxMode Mode { get; init; }
    public int Abi { get; init; }
    public string Landlock { get; init; } = "unconfined";
    public string Seccomp { get; init; } = "unconfined";
    public IReadOnlyList<string> Requested { get; init; } = [];
    public IReadOnlyList<string> Enforced { get; init; } = [];
    public IReadOnlyList<DroppedRight> Dropped { get; init; } = [];
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public bool NoNewPrivs { get; init; }
    /// <summary>Syscalls the seccomp filter denies (by number; socket/clone argument checks come on top).</summary>
    public int SeccompDenied { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    [JsonIgnore]
    public bool Unconfined => Landlock == "unconfined" && Seccomp == "unconfined" && !NoNewPrivs;

    /// <summary>One line: <c>sandbox best-effort, landlock default (ABI 7): 16 enforced, 1 dropped (net.bind_udp needs ABI 10); seccomp default (47 denied); caps none</c>.</summary>
    public string Summary()
    {
        if (Unconfined) return "sandbox unconfined";
        var dropped = Dropped.Count == 0 ? "0 dropped" : $"{Dropped.Count} dropped ({string.Join(", ", Dropped.Select(d => d.NeedsAbi is { } a ? $"{d.Right} needs ABI {a}" : d.Right))})";
        var caps = Capabilities.Count == 0 ? "none" : string.Join(",", Capabilities);
        return $"sandbox {(Mode == SandboxMode.Strict ? "strict" : "best-effort")}, landlock {Landlock} (ABI {Abi}): {Enforced.Count} enforced, {dropped}; " +
               $"seccomp {Seccomp}{(Seccomp == "unconfined" ? "" : $" ({SeccompDenied} denied)")}; caps {caps}{(NoNewPrivs ? "; no_new_privs" : "")}";
    }
}
