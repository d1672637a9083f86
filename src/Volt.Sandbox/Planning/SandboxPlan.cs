using System.Globalization;
using System.Text;

namespace Volt.Sandbox.Planning;

/// <summary>One Landlock path rule: the access it grants beneath <paramref name="Path"/>.</summary>
public sealed record PathRule(string Path, ulong Access, bool Optional);

/// <summary>
/// What the helper applies, computed for this kernel: the kept capabilities, no_new_privs, the Landlock ruleset
/// (handled masks, rules, restrict flags) and the seccomp BPF program. <see cref="Render"/> is the plan file the
/// helper reads (src/Volt.Sandbox/Helper/volt-sandbox.c documents its lines).
/// </summary>
public sealed record SandboxPlan
{
    public ulong? KeepCapabilities { get; init; }
    public bool NoNewPrivs { get; init; }
    public int Abi { get; init; }
    public ulong HandledFs { get; init; }
    public ulong HandledNet { get; init; }
    public ulong Scoped { get; init; }
    public ulong RestrictFlags { get; init; }
    public IReadOnlyList<PathRule> Paths { get; init; } = [];
    public IReadOnlyList<(ulong Access, int Port)> Ports { get; init; } = [];
    public byte[]? Seccomp { get; init; }
    public required SandboxReport Report { get; init; }

    public bool HasLandlock => HandledFs != 0 || HandledNet != 0 || Scoped != 0;

    public string Render()
    {
        var sb = new StringBuilder("volt-sandbox-plan 1\n");
        void Line(string s) => sb.Append(s).Append('\n');
        if (KeepCapabilities is { } caps) Line("caps " + caps.ToString("x", CultureInfo.InvariantCulture));
        if (NoNewPrivs) Line("nnp 1");
        if (HasLandlock)
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"landlock {Abi} {HandledFs:x} {HandledNet:x} {Scoped:x} {RestrictFlags:x}"));
            foreach (var p in Paths) Line(string.Create(CultureInfo.InvariantCulture, $"path {p.Access:x} {(p.Optional ? 1 : 0)} {p.Path}"));
            foreach (var (a, port) in Ports) Line(string.Create(CultureInfo.InvariantCulture, $"port {a:x} {port:x}"));
        }
        if (Seccomp is { } bpf) Line("bpf " + Convert.ToHexStringLower(bpf));
        Line("end");
        return sb.ToString();
    }
}
