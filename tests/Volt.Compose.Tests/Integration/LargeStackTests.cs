using System.Diagnostics;
using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// A health check that never passes fails <c>up</c> naming the service and leaves nothing. Then incus-compose's scale on real containers, cheaply: 30 busybox services on one stack network (one base service
/// with a health check, 29 that wait for it, so they start in parallel), in a network namespace the test creates.
/// An <c>up</c> killed with SIGKILL halfway is converged by the next <c>up</c> (every service running, each once);
/// a third <c>up</c> changes nothing; <c>down</c> leaves no container, veth, network or stack record.
/// </summary>
public sealed class LargeStackTests
{
    private const int Services = 30;

    // Once explicit: under load the converging second `up` failed with a bare "Error: The operation has timed out."
    // (exit 1). It was voltd's stop of a replaced instance waiting 10 s for the reap after SIGKILL (Task.WaitAsync's
    // TimeoutException, sent back as a general error); that wait is 60 s now and a named exit 7, and the executor
    // names the service of any failure on the up path (ExecutorTests.A_timeout_on_the_up_path_is_exit_7…).
    [Fact]
    public async Task Thirty_services_survive_a_killed_up_converge_and_go_down_leaving_nothing()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("ip");
        using var dir = new TempDir("compose-big");
        var image = Busybox.Create(dir.Combine("image"));
        var root = dir.Combine("root");
        var yaml = new System.Text.StringBuilder("name: big\nservices:\n");
        yaml.Append($"  base:\n    image: {image}\n    command: [sh, -c, \"touch /tmp/ready; exec sleep 600\"]\n")
            .Append("    healthcheck: {test: [CMD, test, -f, /tmp/ready], interval: 200ms, retries: 100}\n");
        for (var i = 1; i < Services; i++)
            yaml.Append($"  s{i:D2}:\n    image: {image}\n    command: [sleep, \"600\"]\n    depends_on: {{base: {{condition: service_healthy}}}}\n");
        dir.Write("stack/compose.yaml", yaml.ToString());
        var file = dir.Combine("stack", "compose.yaml");
        var ns = "vb" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
        (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", file, .. a]);
        try
        {
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));

            // A health check that never passes: up fails once its retries are used, naming the service, and what it
            // created is gone again.
            dir.Write("sick/compose.yaml", $$$$"""
                name: sick
                services:
                  db: {image: {{{{image}}}}, command: [sleep, "600"], healthcheck: {test: [CMD, "false"], interval: 200ms, retries: 2}}
                  app: {image: {{{{image}}}}, command: [sleep, "600"], depends_on: {db: {condition: service_healthy}}}
                """);
            var sick = Volt("compose", "-f", dir.Combine("sick", "compose.yaml"), "up", "-d");
            sick.Code.ShouldBe(10, sick.Out + sick.Err);
            sick.Err.ShouldContain("dependency \"db\" (sick-db-1) is unhealthy");
            Volt("container", "list").Out.ShouldNotContain("sick-");
            // Its network stays until down, as compose's does (the check at the end counts the big stack's only).
            Volt("compose", "-f", dir.Combine("sick", "compose.yaml"), "down").Code.ShouldBe(0);

            // An up killed with SIGKILL once a third of the stack exists.
            var psi = new ProcessStartInfo("nsenter", In(VoltBinary.Path, "compose", "-f", file, "up", "-d")) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (k, v) in env) psi.Environment[k] = v;
            using (var killed = Process.Start(psi)!)
            {
                killed.ErrorDataReceived += (_, _) => { };
                killed.BeginErrorReadLine();
                var created = 0;
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                while (created < Services / 3 && await killed.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
                    if (line.EndsWith(": created", StringComparison.Ordinal)) created++;
                created.ShouldBe(Services / 3, "the first up printed a third of its 'created' lines before it was killed");
                killed.Kill();
                await killed.WaitForExitAsync(deadline.Token);
            }

            var up = Compose("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            var ps = Compose("ps");
            ps.Code.ShouldBe(0, ps.Err);
            for (var i = 1; i < Services; i++) ps.Out.ShouldContain($"big-s{i:D2}-1");
            ps.Out.Split('\n').Count(l => l.Contains(" running", StringComparison.Ordinal)).ShouldBe(Services, ps.Out);
            var list = Volt("container", "list");
            list.Out.Split('\n').Count(l => l.StartsWith("big-", StringComparison.Ordinal)).ShouldBe(Services, list.Out);

            var again = Compose("up", "-d");
            again.Code.ShouldBe(0, again.Out + again.Err);
            again.Out.ShouldNotContain("created");

            var down = Compose("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            Volt("container", "list").Out.ShouldNotContain("big-");
            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
            Volt("compose", "ls").Out.Split('\n').ShouldNotContain(l => l.StartsWith("big ", StringComparison.Ordinal));
            Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks"), "*.json").Where(f => !Path.GetFileName(f).StartsWith("volt0", StringComparison.Ordinal))
                .ShouldBeEmpty("down removes the stack's network");
        }
        catch (Exception e) when (File.Exists(Path.Combine(root, "var/log/volt/daemon.log")))
        {
            // What voltd saw is half of any failure here (a reset connection, a stall): its log goes with the message.
            var tail = File.ReadLines(Path.Combine(root, "var/log/volt/daemon.log")).TakeLast(60);
            throw new InvalidOperationException($"{e.Message}\n--- voltd's daemon.log, last 60 lines ---\n{string.Join('\n', tail)}", e);
        }
        finally
        {
            Compose("down", "-v");
            Volt("compose", "-f", dir.Combine("sick", "compose.yaml"), "down", "-v");
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }
}
