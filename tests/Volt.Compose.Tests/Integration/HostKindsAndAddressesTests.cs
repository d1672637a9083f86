using System.Text.Json;
using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// On the real engines, in a network namespace the test creates: a Constellation's <c>services:</c> run as Volt
/// services and its <c>tasks:</c> as armed timers beside its containers (up, ps, stop/start, down leaves none), and
/// <c>ipv4_address</c> gives a container exactly that address, kept by a second <c>up</c> and a recreate, while an
/// address another workload holds fails <c>up</c> with exit 12 naming the service and the holder.
/// </summary>
public sealed class HostKindsAndAddressesTests
{
    [Fact]
    public async Task Constellation_services_and_tasks_run_beside_containers_and_static_addresses_are_kept()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("ip");
        using var dir = new TempDir("compose-kinds");
        var image = Busybox.Create(dir.Combine("image"));
        var root = dir.Combine("root");
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        var ns = "vk" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
        var file = dir.Write("stack/volt-compose.yaml", $$$"""
            version: "1"
            name: kinds
            containers:
              pinned:
                image: {{{image}}}
                # /cache is outside the default Landlock profile's writable paths: a read-write tmpfs is writable.
                command: [sh, -c, "echo cached > /cache/x && cat /cache/x && exec sleep 600"]
                tmpfs: ["/cache:size=1m"]
                networks: {net: {ipv4_address: 10.47.0.50}}
                depends_on: {ticker: {condition: service_started}}
            services:
              ticker: {command: [/bin/sh, -c, "echo ticker up; exec sleep 600"], description: a host service of the stack}
            tasks:
              nightly: {command: [/bin/true], schedule: "*-*-* 03:00:00"}
            networks:
              net: {subnet: 10.47.0.0/24}
            """);
        (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", file, .. a]);
        string Address(string workload) =>
            JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks/attachments"), workload + "@*.json").Single()))
                .RootElement.GetProperty("address").GetString()!;
        try
        {
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var up = Compose("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            up.Out.ShouldContain("ticker (kinds-ticker): started");
            up.Out.ShouldContain("nightly (kinds-nightly): started");
            Address("kinds-pinned-1").ShouldBe("10.47.0.50");

            var services = Volt("service", "list");
            services.Out.ShouldContain("kinds-ticker", customMessage: services.Out + services.Err);
            Volt("service", "status", "kinds-ticker").Out.ShouldContain("running");
            Volt("task", "list").Out.ShouldContain("kinds-nightly");
            var ps = Compose("ps");
            ps.Out.ShouldContain("kinds-ticker", customMessage: ps.Out);
            ps.Out.Split('\n').Single(l => l.Contains("kinds-ticker", StringComparison.Ordinal)).ShouldContain("running");
            ps.Out.Split('\n').Single(l => l.Contains("kinds-nightly", StringComparison.Ordinal)).ShouldContain("scheduled");
            await UntilAsync(() => Compose("logs", "ticker"), r => r.Out.Contains("ticker up"), "the host service's output in compose logs");
            await UntilAsync(() => Compose("logs", "pinned"), r => r.Out.Contains("cached"), "the container's write to its tmpfs /cache");

            // A second up keeps everything (the address too); a recreate gets the same address back.
            var again = Compose("up", "-d");
            again.Code.ShouldBe(0, again.Out + again.Err);
            again.Out.ShouldNotContain(": created");
            Address("kinds-pinned-1").ShouldBe("10.47.0.50");
            Compose("up", "-d", "--force-recreate", "pinned").Code.ShouldBe(0);
            Address("kinds-pinned-1").ShouldBe("10.47.0.50");

            // stop / start reach the host kinds too.
            Compose("stop").Code.ShouldBe(0);
            Volt("service", "status", "kinds-ticker").Out.ShouldNotContain("running");
            Compose("ps").Out.Split('\n').Single(l => l.Contains("kinds-nightly", StringComparison.Ordinal)).ShouldContain("created");
            Compose("start").Code.ShouldBe(0);
            Volt("service", "status", "kinds-ticker").Out.ShouldContain("running");

            // Another workload on a network holds the address: exit 12 naming the service and the holder.
            Volt("net", "create", "extnet", "--subnet", "10.48.0.0/24").Code.ShouldBe(0);
            var squat = Volt("run", "-d", "--name", "squatter", "--network", "extnet", image, "sleep", "600");
            squat.Code.ShouldBe(0, squat.Err);
            var taken = dir.Write("taken/compose.yaml", $$$"""
                name: taken
                services:
                  late: {image: {{{image}}}, command: [sleep, "600"], networks: {extnet: {ipv4_address: {{{Address("squatter")}}} } } }
                networks:
                  extnet: {external: true}
                """);
            var bad = Volt("compose", "-f", taken, "up", "-d");
            bad.Code.ShouldBe(12, bad.Out + bad.Err);
            bad.Err.ShouldContain($"services.late.networks: ipv4_address {Address("squatter")} on network \"extnet\" is taken by \"squatter\"");
            Volt("container", "list").Out.ShouldNotContain("taken-late");

            var down = Compose("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            // By name (first column): the squatter's IMAGE column is a path under this test's directory.
            foreach (var kind in new[] { "service", "task", "container" })
            {
                var list = Volt(kind, "list").Out;
                list.Split('\n').Where(l => l.StartsWith("kinds-", StringComparison.Ordinal)).ShouldBeEmpty(list);
            }
        }
        finally
        {
            Compose("down");
            Volt("compose", "-f", dir.Combine("taken", "compose.yaml"), "down");
            Volt("rm", "-f", "squatter");
            Volt("net", "delete", "extnet");
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    private static async Task<(int Code, string Out, string Err)> UntilAsync(Func<(int Code, string Out, string Err)> run, Func<(int Code, string Out, string Err), bool> ok, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (int Code, string Out, string Err) last = default;
        while (!deadline.IsCancellationRequested)
        {
            last = run();
            if (ok(last)) return last;
            try { await Task.Delay(250, deadline.Token); } catch (OperationCanceledException) { }
        }
        throw new ShouldAssertException($"waited 60 s for {what}; last: exit {last.Code}: {last.Out}{last.Err}");
    }
}
