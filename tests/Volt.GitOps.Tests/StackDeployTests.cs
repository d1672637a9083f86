using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>
/// GitOps deploying a stack repository (a <c>volt-compose.yaml</c>) end to end with the real binary: <c>volt gitops
/// serve</c>, a real git daemon, signed webhooks, containers on systemd-nspawn. The same orchestrator as <c>volt
/// compose up -d</c> plans each push, so a change to one service recreates that service only; the history says which.
/// The stack's containers use <c>network_mode: none</c>: no bridge in the host's namespace. Needs root.
/// </summary>
public sealed class StackDeployTests : IDisposable
{
    private const string Secret = "stack-secret";
    private readonly TempDir _dir;
    private readonly GitServer _git;
    private readonly string _root;
    private Process? _serve;

    public StackDeployTests()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.Require(File.Exists("/bin/busybox"), "busybox-static is not installed (scripts/apt-packages.txt)");
        _dir = new TempDir("volt-gitops-stack");
        _root = _dir.Combine("root");
        try { _git = new GitServer(); }
        catch { _dir.Dispose(); throw; }
    }

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_root, args);

    private static string Rootfs(string dir)
    {
        foreach (var d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "var", "usr/bin" }) Directory.CreateDirectory(Path.Combine(dir, d));
        File.Copy("/bin/busybox", Path.Combine(dir, "bin", "busybox"));
        foreach (var a in new[] { "sh", "sleep" }) File.CreateSymbolicLink(Path.Combine(dir, "bin", a), "busybox");
        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(dir, "etc", "group"), "root:x:0:\n");
        return dir;
    }

    private static string Stack(string webMode, string workerMode) => $$"""
        version: "1"
        name: shop
        containers:
          web:
            image: busybox:stack
            command: [sleep, "1000"]
            environment: { MODE: {{webMode}} }
            network_mode: none
            depends_on: [worker]
          worker:
            image: busybox:stack
            command: [sleep, "1000"]
            environment: { MODE: {{workerMode}} }
            network_mode: none
        """;

    private async Task<HttpStatusCode> Webhook(int port, string commit)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/main","before":"1111111111111111111111111111111111111111","after":"{{{commit}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""");
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/hooks/github") { Content = new ByteArrayContent(body) };
        req.Headers.Add("X-GitHub-Event", "push");
        req.Headers.Add("X-Hub-Signature-256", Signatures.HubSignature(Secret, body));
        using var resp = await http.SendAsync(req);
        return resp.StatusCode;
    }

    private JsonObject Inspect(string name)
    {
        var (code, stdout, stderr) = Volt("container", "inspect", name, "-o", "json");
        code.ShouldBe(0, stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private string StartedAt(string name) => Inspect(name).ToJsonString() is var s && s.IndexOf("\"started", StringComparison.OrdinalIgnoreCase) is var i and >= 0
        ? s[i..Math.Min(s.Length, i + 60)] : throw new ShouldAssertException($"no start time in {s}");

    [Fact]
    public async Task A_push_that_changes_one_service_recreates_only_that_service_and_the_history_says_so()
    {
        var (code, _, err) = Volt("image", "build-from-dir", Rootfs(_dir.Combine("rootfs")), "--name", "busybox:stack");
        code.ShouldBe(0, err);
        Volt("gitops", "create", "--name", "shop-app", "--repo", _git.Url, "--provider", "github", "--branch", "main", "--workload", "shop", "--secret", Secret)
            .Code.ShouldBe(0);
        var port = GitServer.FreePort();
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "gitops", "serve", "--port", port.ToString(), "--listen", "127.0.0.1" }) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = _root;
        _serve = Process.Start(psi)!;
        GitServer.WaitForPort(port);
        var store = new PipelineStore(Path.Combine(_root, "var/lib/volt/gitops"));

        var c1 = _git.Push(new Dictionary<string, string> { ["volt-compose.yaml"] = Stack("one", "one") });
        (await Webhook(port, c1)).ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(store, "shop-app", 1, TimeSpan.FromSeconds(90));
        (h[0].Status, h[0].Commit).ShouldBe(("success", c1), h[0].Notes);
        h[0].Notes.ShouldContain("stack shop: created web, worker");
        Inspect("shop-web-1").ToJsonString().ShouldContain("MODE=one");
        var worker = StartedAt("shop-worker-1");

        var c2 = _git.Push(new Dictionary<string, string> { ["volt-compose.yaml"] = Stack("two", "one") });
        (await Webhook(port, c2)).ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(store, "shop-app", 2, TimeSpan.FromSeconds(90));
        (h[0].Status, h[0].Commit).ShouldBe(("success", c2), h[0].Notes);
        h[0].Notes.ShouldContain("stack shop: recreated web");
        h[0].Notes.ShouldNotContain("worker");
        Inspect("shop-web-1").ToJsonString().ShouldContain("MODE=two");
        StartedAt("shop-worker-1").ShouldBe(worker, "the unchanged worker kept running");

        // An invalid stack file is a failed entry with the place; what runs stays.
        var c3 = _git.Push(new Dictionary<string, string> { ["volt-compose.yaml"] = Stack("three", "one").Replace("command:", "commandd:") });
        (await Webhook(port, c3)).ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(store, "shop-app", 3, TimeSpan.FromSeconds(90));
        h[0].Status.ShouldBe("failed", h[0].Notes); // (InvalidConfig is the sync's exit code, not kept in the history)
        h[0].Notes.ShouldContain("volt-compose.yaml line");
        Inspect("shop-web-1").ToJsonString().ShouldContain("MODE=two");
    }

    public void Dispose()
    {
        if (_serve is { HasExited: false }) { _serve.Kill(entireProcessTree: true); _serve.WaitForExit(5000); }
        _serve?.Dispose();
        Volt("compose", "-p", "shop", "down");
        var pidFile = Path.Combine(_root, "var/run/volt/volt.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(); p.WaitForExit(5000); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        _git.Dispose();
        _dir.Dispose();
    }
}
