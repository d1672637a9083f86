using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Volt.Core.IO;
using Volt.Core.Native;
using Volt.Sandbox.Planning;
using Volt.Sandbox.Policy;

namespace Volt.Sandbox.Kernel;

/// <summary>
/// Landlock rulesets built once per plan by the process that launches sandboxed services (voltd) and handed to the
/// helper (<c>volt-sandbox --ruleset-from PID:FD</c>, which takes a copy with <c>pidfd_getfd</c>): the helper's few
/// hundred <c>open</c> + <c>landlock_add_rule</c> calls were on every start's path to the payload's exec.
/// </summary>
/// <remarks>
/// A ruleset holds the inodes its paths named when it was built. It is reused only while that cannot have changed:
/// the same plan (<see cref="SandboxPlanCache"/> hands out one object per plan), every rule path's parent directory
/// as it was (an entry replaced, added or removed — <c>useradd</c>'s rename over <c>/etc/passwd</c> — moves the
/// directory's mtime and ctime) and settled (seconds old, as the plan cache's inputs), and no mount made or removed
/// since (the mount table's poll event). Anything else builds it again; a rule the builder cannot add leaves the
/// helper to build the set itself, and say why.
/// </remarks>
public sealed class LandlockRulesets
{
    public static readonly LandlockRulesets Shared = new();

    /// <summary>Rulesets kept at most (one per plan in use: services with their own profiles each have one).</summary>
    private const int Kept = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<PlannedSandbox, Entry> _entries = new(ReferenceEqualityComparer.Instance);
    private SafeFileHandle? _mounts;

    /// <summary>A ruleset held for one launch: its descriptor stays open until the lease is disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private Entry? _entry;
        internal Lease(Entry entry) => _entry = entry;
        public int Fd => (int)(_entry ?? throw new ObjectDisposedException(nameof(Lease))).Handle.DangerousGetHandle();
        public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
    }

    internal sealed class Entry(SafeFileHandle handle, (string Dir, FileStat Stat)[] parents)
    {
        public SafeFileHandle Handle => handle;
        public (string Dir, FileStat Stat)[] Parents => parents;
        private int _leases = 1; // the cache's own

        public Lease? TryLease()
        {
            while (true)
            {
                var n = Volatile.Read(ref _leases);
                if (n == 0) return null;
                if (Interlocked.CompareExchange(ref _leases, n + 1, n) == n) return new Lease(this);
            }
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _leases) == 0) handle.Dispose();
        }
    }

    /// <summary>The ruleset of <paramref name="plan"/>, leased (null when Landlock or a rule cannot be had here).</summary>
    public Lease? Acquire(PlannedSandbox plan)
    {
        lock (_lock)
        {
            if (MountsChanged()) Clear();
            if (_entries.TryGetValue(plan, out var c))
            {
                if (Unchanged(c.Parents) && c.TryLease() is { } lease) return lease;
                _entries.Remove(plan);
                c.Release();
            }
            if (_entries.Count >= Kept) Clear(); // plans replaced by newer ones (the plan cache's) go with the rest
            if (Build(plan) is not { } built) return null;
            _entries[plan] = built;
            return built.TryLease();
        }
    }

    private void Clear()
    {
        foreach (var e in _entries.Values) e.Release();
        _entries.Clear();
    }

    private static bool Unchanged((string Dir, FileStat Stat)[] parents)
    {
        foreach (var (dir, was) in parents)
            if (!FileStat.TryStat(dir, out var now) || now != was || !SandboxHelper.Settled(now)) return false;
        return true;
    }

    /// <summary>Whether a mount was made or removed since the last call (the mount table polls POLLPRI on a change).</summary>
    private unsafe bool MountsChanged()
    {
        if (_mounts is null)
        {
            var fd = LibC.open("/proc/self/mountinfo", 0x80000 /* O_CLOEXEC */);
            if (fd < 0) return true;
            _mounts = new SafeFileHandle(fd, ownsHandle: true); // polls POLLPRI for changes after this open
            return true; // nothing kept was checked against the table yet
        }
        return Poll((int)_mounts.DangerousGetHandle());
    }

    private static unsafe bool Poll(int fd)
    {
        var p = new LibC.PollFd { Fd = fd, Events = 0x2 /* POLLPRI */ };
        return LibC.poll(&p, 1, 0) != 0 && (p.REvents & (0x2 | 0x8 /* POLLERR */)) != 0;
    }

    /// <summary>The plan's ruleset, as the helper would build it from the plan's lines; null if any step fails.</summary>
    internal static unsafe Entry? Build(PlannedSandbox plan)
    {
        var text = System.Text.Encoding.UTF8.GetString(plan.Text);
        SafeFileHandle? ruleset = null;
        var attr = stackalloc ulong[3];
        var parents = new List<(string, FileStat)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.StartsWith("landlock ", StringComparison.Ordinal))
                {
                    var f = line.Split(' ');
                    if (f.Length != 6 || !int.TryParse(f[1], out var abi) || abi > LandlockAbi.Probe()) return null;
                    attr[0] = Hex(f[2]); attr[1] = Hex(f[3]); attr[2] = Hex(f[4]);
                    var size = abi >= 6 ? 24u : abi >= 4 ? 16u : 8u;
                    var fd = LibC.syscall(LibC.SYS_landlock_create_ruleset, (nint)attr, size, 0);
                    if (fd < 0) return null;
                    ruleset = new SafeFileHandle((nint)fd, ownsHandle: true);
                }
                else if (line.StartsWith("path ", StringComparison.Ordinal))
                {
                    if (ruleset is null) return null;
                    var f = line.Split(' ', 4);
                    if (f.Length != 4) return null;
                    var path = f[3];
                    var parent = Path.GetDirectoryName(path) ?? "/";
                    if (seen.Add(parent))
                    {
                        if (!FileStat.TryStat(parent, out var st) || !SandboxHelper.Settled(st)) return null;
                        parents.Add((parent, st));
                    }
                    if (!AddPath(ruleset, Hex(f[1]), Hex(f[2]) != 0, path)) return null;
                }
                else if (line.StartsWith("port ", StringComparison.Ordinal))
                {
                    if (ruleset is null) return null;
                    var f = line.Split(' ');
                    if (f.Length != 3) return null;
                    attr[0] = Hex(f[1]); attr[1] = Hex(f[2]);
                    if (LibC.syscall_landlock_add_rule(LibC.SYS_landlock_add_rule, (int)ruleset.DangerousGetHandle(), LibC.LANDLOCK_RULE_NET_PORT, attr, 0) < 0) return null;
                }
            }
            if (ruleset is null) return null;
            var entry = new Entry(ruleset, [.. parents]);
            ruleset = null;
            return entry;
        }
        catch (FormatException) { return null; }
        finally { ruleset?.Dispose(); }
    }

    /// <summary>One path rule, as the helper adds it: a file refused directory rights gets its file rights.</summary>
    private static unsafe bool AddPath(SafeFileHandle ruleset, ulong access, bool optional, string path)
    {
        var fd = LibC.open(path, LibC.O_PATH | 0x80000 /* O_CLOEXEC */);
        if (fd < 0) return optional && Marshal.GetLastPInvokeError() == Errno.ENOENT;
        try
        {
            if (access == 0) return true;
            var attr = stackalloc byte[12]; // { u64 allowed_access; s32 parent_fd } packed
            *(ulong*)attr = access;
            *(int*)(attr + 8) = fd;
            var rulesetFd = (int)ruleset.DangerousGetHandle();
            if (LibC.syscall_landlock_add_rule(LibC.SYS_landlock_add_rule, rulesetFd, LibC.LANDLOCK_RULE_PATH_BENEATH, attr, 0) == 0) return true;
            if (Marshal.GetLastPInvokeError() != Errno.EINVAL || (access & ~LandlockRights.FileRights) == 0) return false;
            if (!FileStat.TryStat(path, out var st) || st.Kind == FileKind.Directory) return false;
            if ((access & LandlockRights.FileRights) == 0) return true;
            *(ulong*)attr = access & LandlockRights.FileRights;
            return LibC.syscall_landlock_add_rule(LibC.SYS_landlock_add_rule, rulesetFd, LibC.LANDLOCK_RULE_PATH_BENEATH, attr, 0) == 0;
        }
        finally { LibC.close(fd); }
    }

    private static ulong Hex(string s) => ulong.Parse(s, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
}
