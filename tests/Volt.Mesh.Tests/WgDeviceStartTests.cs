using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Mesh.WireGuard;
using Volt.Testing;
using Xunit;

namespace Volt.Mesh.Tests;

/// <summary>
/// wireguard-go dying at start, with the real wireguard-go: its daemonized child needs an inotify instance to watch its
/// UAPI socket and exits at once when the user has none left, leaving the socket file behind (what two full CI runs
/// saw: "the socket exists" and nothing answered for 20 s). Here the daemon runs in a user and network namespace of
/// its own (<c>unshare -U -r --net</c>) whose <c>max_inotify_instances</c> the test sets, so the host's limit is never
/// touched.
/// </summary>
public sealed class WgDeviceStartTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _iface = "vwt" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Runs wireguard-go's start inside <c>unshare -U -r --net</c>, with the inotify limit <paramref name="limit"/>
    /// gives for the Nth start (null: the inherited limit).</summary>
    private sealed class OwnNamespaces(Func<int, int?> limit) : IProcessRunner
    {
        private readonly ProcessRunner _inner = new();
        public int Starts;

        public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, ProcessOptions? options = null, CancellationToken ct = default)
        {
            var a = args.ToList();
            if (tool != "sh" || a.Count < 2 || !a[1].Contains("wireguard-go", StringComparison.Ordinal)) return _inner.RunAsync(tool, a, options, ct);
            var n = Interlocked.Increment(ref Starts);
            var pre = limit(n) is { } l ? $"echo {l} > /proc/sys/user/max_inotify_instances && " : "";
            return _inner.RunAsync("unshare", ["-U", "-r", "--net", "sh", "-c", pre + a[1], .. a.Skip(2)], options, ct);
        }
    }

    private void Require()
    {
        TestEnv.RequireRoot("wireguard-go creates a TUN device");
        TestEnv.RequireTool("wireguard-go");
        TestEnv.RequireTool("unshare");
        TestEnv.Require(File.Exists("/proc/sys/user/max_inotify_instances"), "no per-user-namespace inotify limit in this kernel");
    }

    [Fact]
    public async Task ADaemonThatDiesAtStart_IsSeenAtOnce_AndReportedWithWireguardGosOwnError()
    {
        Require();
        var runner = new OwnNamespaces(_ => 0);
        var log = Path.Combine(_dir.Path, "wg.log");
        var retries = new List<string>();
        var device = new WgDevice(runner, _iface, log, retries.Add);

        var e = await Should.ThrowAsync<VoltException>(() => device.CreateAsync(CancellationToken.None));

        // Not "did not answer within 20 s (the socket exists)": the daemon's own reason, and the limit named.
        e.Message.ShouldContain("Failed to listen on uapi socket: too many open files");
        e.Message.ShouldContain("fs.inotify.max_user_instances");
        e.Message.ShouldNotContain("did not answer");
        e.Code.ShouldBe(ExitCode.Resource);
        runner.Starts.ShouldBe(WgDevice.StartAttempts, "a used-up resource is tried again, bounded");
        retries.Count.ShouldBe(WgDevice.StartAttempts - 1);
        File.ReadAllText(log).ShouldContain("too many open files");
    }

    [Fact]
    public async Task ADaemonThatDiedOfAUsedUpResource_IsStartedAgain_AndThenAnswers()
    {
        Require();
        // The first start finds no inotify instance left; the second the usual limit.
        var runner = new OwnNamespaces(n => n == 1 ? 0 : null);
        var retries = new List<string>();
        var device = new WgDevice(runner, _iface, Path.Combine(_dir.Path, "wg.log"), retries.Add);

        await device.CreateAsync(CancellationToken.None);

        runner.Starts.ShouldBe(2);
        retries.ShouldHaveSingleItem().ShouldContain("too many open files");
        (await device.Uapi.GetAsync()).Peers.ShouldBeEmpty("the second daemon serves its UAPI socket");
    }

    public void Dispose()
    {
        // The daemon lives in the namespaces unshare made (gone with it): stop it by PID, then its socket file.
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(d, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var argv = cmd.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (argv.Length >= 2 && Path.GetFileName(argv[0]) == "wireguard-go" && argv[^1] == _iface) TestEnv.Run("kill", "-9", pid.ToString());
        }
        try { File.Delete(UapiClient.SocketFor(_iface)); } catch (IOException) { }
        _dir.Dispose();
    }
}
