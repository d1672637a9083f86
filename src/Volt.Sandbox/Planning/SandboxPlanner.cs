using Volt.Core.Errors;
using Volt.Sandbox.Policy;
using Volt.Sandbox.Seccomp;

namespace Volt.Sandbox.Planning;

/// <summary>
/// Turns a <see cref="SandboxSpec"/> into the <see cref="SandboxPlan"/> this kernel can enforce, ABI-aware and
/// honest: every right the policy restricts is listed as requested, then as enforced by Landlock (its ABI has it), as
/// enforced by seccomp (Landlock cannot cover it: UDP, raw and packet sockets, io_uring, AF_UNIX before ABI 9), or
/// as dropped with the reason. <c>--sandbox strict</c> refuses a start with anything dropped (exit 10).
/// </summary>
public static class SandboxPlanner
{
    /// <summary>Host files a profile's directory rule never grants (a FILE policy naming them grants them).</summary>
    public static readonly string[] HostSecrets =
    [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh",
        "/etc/ssl/private", "/etc/volt", "/root", "/var/lib/volt",
    ];

    /// <param name="touched">When given, gets every path whose file-system facts the plan depends on (the named
    /// profile's file, each directory walked to leave the host's secrets out, the secrets): see <see cref="SandboxPlanCache"/>.</param>
    public static SandboxPlan Plan(SandboxSpec spec, SandboxTarget target, int abi, string etc, ICollection<string>? touched = null)
    {
        var caps = spec.Capabilities();
        var policy = spec.Landlock == "unconfined" ? new LandlockPolicy() : LandlockProfiles.Resolve(spec.Landlock, etc, target.Exists);
        if (touched is not null && spec.Landlock != "unconfined") touched.Add(LandlockProfiles.IsFile(spec.Landlock) ? spec.Landlock : LandlockProfiles.PathOf(etc, spec.Landlock));
        if (policy.RestrictsFs && target.Writable is { Count: > 0 } extra)
            policy = policy with { FsWrite = [.. policy.FsWrite ?? [], .. extra] };
        var seccomp = SeccompProfiles.Resolve(spec.Seccomp, caps);
        var strict = spec.Mode == SandboxMode.Strict;

        var requested = new List<string>();
        var enforced = new List<string>();
        var dropped = new List<DroppedRight>();
        var notes = new List<string>();
        var sockets = SocketDenials.None;
        var kernel = abi == 0 ? "Landlock is not available on this kernel" : $"this kernel has ABI {abi}";

        ulong handledFs = 0, handledNet = 0;
        if (policy.RestrictsFs)
        {
            foreach (var r in LandlockRights.All.Where(r => r.Kind == LandlockRightKind.Fs))
            {
                requested.Add(r.Name);
                if (r.Abi <= abi) { enforced.Add(r.Name); handledFs |= r.Bit; }
                else dropped.Add(new DroppedRight(r.Name, $"needs Landlock ABI {r.Abi}; {kernel}", r.Abi));
            }
        }
        if (policy.RestrictsNet)
        {
            var udpPorts = (policy.NetBind ?? []).Concat(policy.NetConnect ?? []).Where(p => p.Udp).ToList();
            void Tcp(string name, ulong bit, bool restricted)
            {
                if (!restricted) return;
                requested.Add(name);
                if (abi >= 4) { enforced.Add(name); handledNet |= bit; }
                else dropped.Add(new DroppedRight(name, $"needs Landlock ABI 4; {kernel}", 4));
            }
            Tcp("net.bind_tcp", LandlockRights.BindTcp, policy.NetBind is not null);
            Tcp("net.connect_tcp", LandlockRights.ConnectTcp, policy.NetConnect is not null);
            requested.Add("net.udp");
            if (udpPorts.Count > 0)
                dropped.Add(new DroppedRight("net.udp", $"UDP port rules ({string.Join(", ", udpPorts)}) need Landlock ABI {LandlockRights.UdpAbi}; {kernel}: UDP is not restricted", LandlockRights.UdpAbi));
            else if (seccomp is not null) { enforced.Add("net.udp (seccomp: UDP sockets denied)"); sockets |= SocketDenials.InetDatagram; }
            else dropped.Add(new DroppedRight("net.udp", $"needs Landlock ABI {LandlockRights.UdpAbi} or a seccomp profile (seccomp is unconfined)", LandlockRights.UdpAbi));
            requested.Add("net.raw");
            if (seccomp is not null) { enforced.Add("net.raw (seccomp: raw and packet sockets denied)"); sockets |= SocketDenials.Raw; }
            else dropped.Add(new DroppedRight("net.raw", "no Landlock ABI restricts raw sockets and seccomp is unconfined"));
        }
        if (policy.RestrictsFs && abi < LandlockRights.UnixAbi)
        {
            requested.Add("fs.unix_connect");
            if (strict && seccomp is not null) { enforced.Add("fs.unix_connect (seccomp: AF_UNIX sockets denied)"); sockets |= SocketDenials.Unix; }
            else if (!strict) notes.Add($"connects to existing unix sockets are not restricted: Landlock restricts them from ABI {LandlockRights.UnixAbi} ({kernel}); --sandbox strict denies AF_UNIX sockets with seccomp instead");
            else dropped.Add(new DroppedRight("fs.unix_connect", $"needs Landlock ABI {LandlockRights.UnixAbi} or a seccomp profile", LandlockRights.UnixAbi));
        }
        if (!policy.IsUnconfined)
        {
            requested.Add("io_uring");
            if (seccomp is not null)
            {
                if (seccomp.ActionFor("io_uring_setup") == SeccompAction.Allow)
                    seccomp = seccomp with { Rules = [.. seccomp.Rules, .. new[] { "io_uring_setup", "io_uring_enter", "io_uring_register" }.Select(n => new SyscallRule(n, SyscallTable.X64[n], SeccompAction.Errno, 1))] };
                enforced.Add("io_uring (seccomp: denied)");
            }
            else dropped.Add(new DroppedRight("io_uring", "Landlock does not mediate io_uring's requests and seccomp is unconfined"));
        }
        if (strict && dropped.Count > 0)
            throw new VoltException(ExitCode.Dependency, "--sandbox strict: cannot enforce " + string.Join("; ", dropped.Select(d => $"{d.Right} ({d.Why})")));

        var paths = new List<PathRule>();
        if (handledFs != 0)
        {
            var rules = new Dictionary<string, ulong>(StringComparer.Ordinal);
            void Add(IReadOnlyList<string>? list, ulong access) { foreach (var p in list ?? []) rules[p] = (rules.GetValueOrDefault(p) | access) & handledFs; }
            Add(policy.FsRead, LandlockRights.Read);
            Add(policy.FsExecute, LandlockRights.Exec);
            Add(policy.FsWrite, LandlockRights.Write);
            var hostSecrets = target.Kind != SandboxKind.Container && policy.PathsOptional;
            foreach (var (p, a) in rules.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (hostSecrets) paths.AddRange(WithoutSecrets(p, a, HostSecrets, notes, touched));
                else paths.Add(new PathRule(p, a, policy.PathsOptional));
            }
            if (hostSecrets) paths = Merge(paths);
            if (hostSecrets && touched is not null) foreach (var secret in HostSecrets) touched.Add(secret);
            if (hostSecrets && paths.Count != rules.Count) notes.Add("host secrets not granted by the profile: " + string.Join(", ", HostSecrets.Where(s => File.Exists(s) || Directory.Exists(s))));
        }
        var ports = new List<(ulong, int)>();
        if ((handledNet & LandlockRights.BindTcp) != 0) ports.AddRange(policy.NetBind!.Where(p => !p.Udp).Select(p => (LandlockRights.BindTcp, p.Port)));
        if ((handledNet & LandlockRights.ConnectTcp) != 0) ports.AddRange(policy.NetConnect!.Where(p => !p.Udp).Select(p => (LandlockRights.ConnectTcp, p.Port)));
        seccomp = seccomp?.WithSockets(sockets);
        var restricted = handledFs != 0 || handledNet != 0 || seccomp is not null;
        var report = new SandboxReport
        {
            Mode = spec.Mode, Abi = abi, Landlock = spec.Landlock, Seccomp = spec.Seccomp,
            Requested = requested, Enforced = enforced, Dropped = dropped, Notes = notes,
            Capabilities = Capabilities.List(caps), NoNewPrivs = true, SeccompDenied = seccomp?.Denied ?? 0,
        };
        return new SandboxPlan
        {
            KeepCapabilities = caps,
            NoNewPrivs = true,
            Abi = abi,
            HandledFs = handledFs,
            HandledNet = handledNet,
            RestrictFlags = abi >= 7 && restricted ? LandlockRights.LogNewExecOn : 0,
            Paths = paths,
            Ports = ports,
            Seccomp = seccomp?.Compile(),
            Report = report,
        };
    }

    /// <summary>
    /// One rule per path, none that an ancestor's rule already grants. Splitting two profile paths around the host's
    /// secrets (<c>/</c> and <c>/var</c> both reach <c>/var/lib</c>) gave the same children twice, a sixth of a
    /// service's rules, each an open and a <c>landlock_add_rule</c> in the helper on every start. Landlock grants
    /// beneath a path the union of the rules on it and on its ancestors, so the merged set grants exactly the same. A
    /// rule the helper must find (not optional) is kept even when covered: its absence stays an error.
    /// </summary>
    internal static List<PathRule> Merge(IReadOnlyList<PathRule> rules)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var merged = new List<PathRule>(rules.Count);
        foreach (var r in rules)
        {
            if (index.TryGetValue(r.Path, out var i))
                merged[i] = merged[i] with { Access = merged[i].Access | r.Access, Optional = merged[i].Optional && r.Optional };
            else
            {
                index[r.Path] = merged.Count;
                merged.Add(r);
            }
        }
        var access = new Dictionary<string, ulong>(merged.Count, StringComparer.Ordinal);
        foreach (var r in merged) access[r.Path] = r.Access;
        return merged.FindAll(r => !r.Optional || !CoveredByAncestor(r.Path, r.Access, access));
    }

    private static bool CoveredByAncestor(string path, ulong want, Dictionary<string, ulong> access)
    {
        for (var p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            if (access.TryGetValue(p, out var a) && (a & want) == want) return true;
        return false;
    }

    /// <summary>
    /// A rule on <paramref name="path"/> without the secrets beneath it: the directory keeps only listing, each child
    /// gets the rule (recursively split where a secret lies deeper); a secret itself gets nothing.
    /// </summary>
    internal static IEnumerable<PathRule> WithoutSecrets(string path, ulong access, IReadOnlyList<string> secrets, List<string> notes, ICollection<string>? touched = null)
    {
        if (secrets.Contains(path)) yield break;
        var prefix = path == "/" ? "/" : path + "/";
        var inside = secrets.Where(s => s.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (inside.Count > 0) touched?.Add(path);
        if (inside.Count == 0 || !Directory.Exists(path)) { yield return new PathRule(path, access, true); yield break; }
        if ((access & LandlockRights.ReadDir) != 0) yield return new PathRule(path, LandlockRights.ReadDir, true);
        // A child that is not a directory (after symlinks, as the helper's open follows them) gets the file rights
        // only: the helper's first landlock_add_rule then succeeds, where a directory right made it fail, fstat and
        // try again (three syscalls instead of one for each of ~100 files in /etc). A child that became a directory
        // since (the plan cache would see its parent's mtime move) gets less, never more.
        List<(string Path, bool Directory)> children;
        try { children = [.. new DirectoryInfo(path).EnumerateFileSystemInfos().Select(i => (i.FullName, i is DirectoryInfo)).OrderBy(c => c.FullName, StringComparer.Ordinal)]; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { notes.Add($"{path}: {e.Message}"); yield break; }
        foreach (var (child, directory) in children)
        foreach (var r in WithoutSecrets(child, directory ? access : access & LandlockRights.FileRights, inside, notes, touched))
            yield return r;
    }
}
