using System.Globalization;
using Volt.Core.IO;

namespace Volt.Testing;

/// <summary>
/// A real Debian root filesystem for tests: <c>debootstrap --variant=minbase --include=nginx-light,procps,iproute2
/// bookworm</c> from deb.debian.org (≈ 216 MiB, ≈ 30 s), built once per machine into
/// <c>/var/cache/volt-test/debian-bookworm-nginx</c> (<c>$VOLT_TEST_CACHE</c> replaces <c>/var/cache/volt-test</c>)
/// and shared by every test and test process after that.
/// <list type="bullet">
/// <item>Concurrency-safe: builders hold an flock on <c>debian-bookworm-nginx.lock</c>, debootstrap writes into a
/// temporary directory beside the cache, and only a complete rootfs is renamed into place; a crashed build leaves
/// nothing a later test would use.</item>
/// <item>Read-only for tests: import it (<c>volt image build-from-dir</c>, <c>volt cas build</c>) or copy it; never
/// write into it.</item>
/// <item>Needs root and debootstrap (the usual <see cref="TestEnv.Require"/> rule: a failure on CI); skips with the
/// printed reason only when the Debian mirror cannot be reached.</item>
/// </list>
/// </summary>
public static class DebianRootfs
{
    public const string Suite = "bookworm";
    public const string Mirror = "http://deb.debian.org/debian";
    public const string Name = "debian-bookworm-nginx";
    public static readonly IReadOnlyList<string> Packages = ["nginx-light", "procps", "iproute2"];

    public static string CacheRoot => Environment.GetEnvironmentVariable("VOLT_TEST_CACHE") is { Length: > 0 } c ? c : "/var/cache/volt-test";

    /// <summary>Where the rootfs lives once built.</summary>
    public static string CachePath => Path.Combine(CacheRoot, Name);

    private static readonly object s_gate = new();

    /// <summary>The rootfs directory, built first if this machine has none yet.</summary>
    public static string Get()
    {
        if (IsComplete(CachePath)) return CachePath;
        TestEnv.RequireRoot("debootstrap needs root (chroot, device nodes, package scripts)");
        TestEnv.RequireTool("debootstrap");
        lock (s_gate)
        {
            Directory.CreateDirectory(CacheRoot);
            using var _ = FileLock.Exclusive(CachePath + ".lock");
            if (IsComplete(CachePath)) return CachePath;
            if (MirrorUnreachable() is { } why) Xunit.Assert.Skip($"the Debian mirror {Mirror} cannot be reached ({why}): no debootstrap rootfs");
            foreach (var stale in Directory.GetDirectories(CacheRoot, Name + ".tmp-*")) Remove(stale);
            if (Directory.Exists(CachePath)) Remove(CachePath); // incomplete: never renamed into place by this fixture
            var tmp = $"{CachePath}.tmp-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
            var r = TestEnv.Run("debootstrap", "--variant=minbase", "--include=" + string.Join(',', Packages), Suite, tmp, Mirror);
            if (r.Code != 0 || !IsComplete(tmp))
            {
                Remove(tmp);
                throw new InvalidOperationException($"debootstrap {Suite} failed (exit {r.Code}): {Tail(r.Err + r.Out)}");
            }
            Directory.Move(tmp, CachePath);
            return CachePath;
        }
    }

    private static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, "usr", "sbin", "nginx")) && File.Exists(Path.Combine(dir, "etc", "os-release"))
        && !Directory.Exists(Path.Combine(dir, "debootstrap")); // debootstrap removes its work dir when it succeeds

    /// <summary>Why the Debian mirror cannot be reached (null: it can), for tests that skip only then.</summary>
    public static string? MirrorUnreachable()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            using var resp = http.Send(new HttpRequestMessage(HttpMethod.Head, $"{Mirror}/dists/{Suite}/Release"));
            return resp.IsSuccessStatusCode ? null : $"HTTP {(int)resp.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return e.Message;
        }
    }

    private static void Remove(string dir) => TestEnv.Run("rm", "-rf", "--one-file-system", dir);

    private static string Tail(string s) => s.Length > 2000 ? s[^2000..] : s;
}
