using System.Diagnostics;
using System.Text.RegularExpressions;
using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// Real containers in a network namespace the test creates, with volt-dns and <c>volt registry serve</c> (port 0)
/// running there: images named by a registry reference are pulled on <c>up</c>; a service on two stack networks
/// gets an attachment and its name on each; <c>cap_add</c> reaches the payload's capability set; <c>compose run
/// --rm</c> runs a one-off container on the stack's network, returns its exit code and leaves nothing; an image that
/// cannot be pulled fails <c>up</c> naming the service, with nothing of that stack created.
/// </summary>
public sealed partial class StackFeaturesTests
{
    [Fact]
    public async Task Registry_images_two_networks_capabilities_and_run_rm_work_on_real_containers()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("ip");
        using var dir = new TempDir("compose-feat");
        var root = dir.Combine("root");
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        var ns = "vf" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
        var servers = new List<Process>();
        try
        {
            TestEnv.Run("nsenter", In("ip", "link", "set", "lo", "up"));
            var registryRoot = dir.Combine("registry-root");
            var registry = await StartAsync(servers, ns, new Dictionary<string, string> { ["VOLT_ROOT"] = registryRoot, ["VOLT_COLOR"] = "never" },
                ["registry", "serve", "--port", "0", "--listen", "127.0.0.1"], RegistryListening());
            await StartAsync(servers, ns, env, ["dns", "serve", "--upstream", "127.0.0.1:9"], new Regex("listening on"));
            var host = new Uri(registry).Authority;

            Busybox.Create(dir.Combine("image"));
            Volt("image", "build-from-dir", dir.Combine("image"), "--name", "bb:1").Code.ShouldBe(0);
            var token = VoltBinary.Run(registryRoot, "registry", "token", "--push");
            token.Code.ShouldBe(0, token.Err);
            var push = Volt("image", "push", $"{host}/bb:1", "--image", "bb:1", "--creds", "volt:" + token.Out.Trim());
            push.Code.ShouldBe(0, push.Out + push.Err);
            Volt("image", "rm", "bb:1").Code.ShouldBe(0);

            // Nothing half-made: the image of one service cannot be pulled.
            dir.Write("bad/compose.yaml", $"services:\n  ok: {{image: {host}/bb:1, command: [sleep, \"60\"], network_mode: none}}\n  ghost: {{image: {host}/ghost:1, network_mode: none}}\n");
            var bad = Volt("compose", "-f", dir.Combine("bad", "compose.yaml"), "-p", "bad", "up", "-d");
            bad.Code.ShouldNotBe(0);
            bad.Err.ShouldContain("service \"ghost\"");
            Volt("container", "list").Out.ShouldNotContain("bad-");

            dir.Write("stack/compose.yaml", $$$"""
                name: feat
                services:
                  web:
                    image: {{{host}}}/bb:1
                    command: [httpd, -f, -p, "8080", -h, /etc]
                    networks: [front, back]
                  probe:
                    image: {{{host}}}/bb:1
                    command: [sh, -c, "grep CapEff /proc/self/status; exec sleep 600"]
                    networks: {back: {aliases: [prober]}}
                    cap_add: [NET_BIND_SERVICE, CAP_KILL]
                networks: {front: {}, back: {}}
                """);
            (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", dir.Combine("stack", "compose.yaml"), .. a]);
            var up = Compose("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            up.Out.ShouldContain("web (feat-web-1): pulled");

            var web = Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks/attachments"), "feat-web-1@*.json");
            web.Length.ShouldBe(2, "web is on front and back");
            foreach (var a in web) File.ReadAllText(a).ShouldContain("\"web\"");
            File.ReadAllText(Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks/attachments"), "feat-probe-1@*.json").Single()).ShouldContain("\"prober\"");

            // cap_add: NET_BIND_SERVICE (10) and KILL (5) = 0x420 in the payload's effective set.
            var logs = await UntilAsync(() => Compose("logs", "probe"), r => r.Out.Contains("CapEff"), "probe's CapEff line in its logs");
            logs.Out.ShouldContain("0000000000000420");

            // run --rm: a one-off container on the back network, by name to web, its exit code, then gone.
            var run = Compose("run", "--rm", "probe", "sh", "-c", "wget -q -O - http://web:8080/passwd; grep CapEff /proc/self/status; exit 3");
            run.Code.ShouldBe(3, run.Out + run.Err);
            run.Out.ShouldContain("0000000000000420");
            run.Out.ShouldContain("root:x:0:0");
            Volt("container", "list").Out.ShouldNotContain("-run-");
            // A command that exits at once: the network is attached before it starts (it was attached after, and the
            // veth into an exited container failed with "No such process"); its resolv.conf names volt-dns.
            var quick = Compose("run", "--rm", "probe", "cat", "/etc/resolv.conf");
            quick.Code.ShouldBe(0, quick.Out + quick.Err);
            quick.Out.ShouldContain("nameserver 10.");
            quick.Out.ShouldContain("search ");
            var noDeps = Compose("run", "--rm", "--no-deps", "web", "true");
            noDeps.Code.ShouldBe(0, noDeps.Out + noDeps.Err);
            TestEnv.Run("ip", "netns", "list").Out.ShouldNotContain("-feat-probe-run-", customMessage: "the one-off's namespace goes with it");
            Volt("container", "list").Out.ShouldNotContain("-run-");
            // Without --rm the one-off container stays (stopped) until down.
            Compose("run", "probe", "true").Code.ShouldBe(0);
            Volt("container", "list").Out.ShouldContain("feat-probe-run-");

            var down = Compose("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            Volt("container", "list").Out.ShouldNotContain("feat-");
            TestEnv.Run("nsenter", In("ip", "-o", "link")).Out.ShouldNotContain("vh-");
        }
        finally
        {
            Volt("compose", "-f", dir.Combine("stack", "compose.yaml"), "down", "-v");
            foreach (var p in servers)
            {
                if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); }
                p.Dispose();
            }
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    [GeneratedRegex(@"Registry listening on (http://\S+)")]
    private static partial Regex RegistryListening();

    /// <summary>Starts <c>volt ARGS</c> in the namespace; returns the first match of <paramref name="ready"/> on its stderr.</summary>
    internal static async Task<string> StartAsync(List<Process> servers, string ns, Dictionary<string, string> env, string[] args, Regex ready)
    {
        var psi = new ProcessStartInfo("nsenter", [Netns.Enter(ns), VoltBinary.Path, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        servers.Add(p);
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var err = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { seen.TrySetException(new InvalidOperationException($"volt {string.Join(' ', args)} exited: {err}")); return; }
            lock (err) err.AppendLine(e.Data);
            if (ready.Match(e.Data) is { Success: true } m) seen.TrySetResult(m.Groups.Count > 1 ? m.Groups[1].Value : m.Value);
        };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return await seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task<(int Code, string Out, string Err)> UntilAsync(Func<(int Code, string Out, string Err)> f, Func<(int Code, string Out, string Err), bool> ok, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var last = f();
        while (!ok(last))
        {
            if (deadline.IsCancellationRequested) throw new ShouldAssertException($"waited 30 s for {what}; last: {last.Out}{last.Err}");
            await Task.Delay(200);
            last = f();
        }
        return last;
    }
}
