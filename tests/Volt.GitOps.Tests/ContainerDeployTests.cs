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
/// End to end with the real binary: <c>volt gitops serve</c>, a real git daemon, signed webhooks, and containers on
/// systemd-nspawn from a busybox image built with <c>volt image build-from-dir</c>. Needs root.
/// </summary>
public sealed class ContainerDeployTests : IDisposable
{
    private const string Secret = "e2e-secret";
    private readonly TempDir _dir;
    private readonly GitServer _git;
    private readonly string _root;
    private Process? _serve;

    public ContainerDeployTests()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.Require(File.Exists("/bin/busybox"), "busybox-static is not installed (scripts/apt-packages.txt)");
        _dir = new TempDir("volt-gitops-e2e");
        _root = _dir.Combine("root");
        try { _git = new GitServer(); }
        catch { _dir.Dispose(); throw; }
    }

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_root, args);

    private static string Rootfs(string dir)
    {
        foreach (var d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "var", "usr/bin" }) Directory.CreateDirectory(Path.Combine(dir, d));
        File.Copy("/bin/busybox", Path.Combine(dir, "bin", "busybox"));
        foreach (var a in new[] { "sh", "sleep", "false", "env", "echo" }) File.CreateSymbolicLink(Path.Combine(dir, "bin", a), "busybox");
        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(dir, "etc", "group"), "root:x:0:\n");
        return dir;
    }

    private static string Manifest(string mode, string command = "[\"sleep\", \"1000\"]") =>
        $"name: web\nimage: busybox:gitops\ncommand: {command}\nenv:\n  MODE: {mode}\nresources: {{ memory: 64M, pids: 50 }}\n";

    private async Task<HttpStatusCode> Webhook(int port, string commit, string secret = Secret)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"ref":"refs/heads/main","before":"1111111111111111111111111111111111111111","after":"{{{commit}}}","repository":{"clone_url":"{{{_git.Url}}}"}}""");
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/hooks/github") { Content = new ByteArrayContent(body) };
        req.Headers.Add("X-GitHub-Event", "push");
        req.Headers.Add("X-Hub-Signature-256", Signatures.HubSignature(secret, body));
        using var resp = await http.SendAsync(req);
        return resp.StatusCode;
    }

    private JsonObject Inspect(string name)
    {
        var (code, stdout, stderr) = Volt("container", "inspect", name, "-o", "json");
        code.ShouldBe(0, stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private static bool Running(JsonObject view) => view.ToJsonString().Contains("\"running\"", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task Push_deploys_redeploys_and_failures_leave_the_previous_container_running()
    {
        var (code, _, err) = Volt("image", "build-from-dir", Rootfs(_dir.Combine("rootfs")), "--name", "busybox:gitops");
        code.ShouldBe(0, err);
        Volt("gitops", "create", "--name", "web-app", "--repo", _git.Url, "--provider", "github", "--branch", "main", "--workload", "web", "--secret", Secret)
            .Code.ShouldBe(0);
        var port = GitServer.FreePort();
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "gitops", "serve", "--port", port.ToString(), "--listen", "127.0.0.1" }) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = _root;
        _serve = Process.Start(psi)!;
        GitServer.WaitForPort(port);
        var store = new PipelineStore(Path.Combine(_root, "var/lib/volt/gitops"));

        var c1 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = Manifest("one") });
        (await Webhook(port, c1)).ShouldBe(HttpStatusCode.Accepted);
        var h = await Wait.ForHistory(store, "web-app", 1, TimeSpan.FromSeconds(60));
        (h[0].Status, h[0].Commit).ShouldBe(("success", c1), h[0].Notes);
        var view = Inspect("web");
        Running(view).ShouldBeTrue(view.ToJsonString());
        view.ToJsonString().ShouldContain("MODE=one");

        var c2 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = Manifest("two") });
        (await Webhook(port, c2)).ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(store, "web-app", 2, TimeSpan.FromSeconds(60));
        (h[0].Status, h[0].Commit).ShouldBe(("success", c2), h[0].Notes);
        view = Inspect("web");
        Running(view).ShouldBeTrue();
        view.ToJsonString().ShouldContain("MODE=two");

        var c3 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: busybox:gitops\nenv:\n  A: 1\n B: 2\n" });
        (await Webhook(port, c3)).ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(store, "web-app", 3, TimeSpan.FromSeconds(60));
        (h[0].Status, h[0].Commit).ShouldBe(("failed", c3));
        h[0].Notes.ShouldContain("volt-manifest.yaml line 4");

        var c4 = _git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = Manifest("three", "[\"false\"]") });
        (await Webhook(port, c4)).ShouldBe(HttpStatusCode.Accepted);
        h = await Wait.ForHistory(store, "web-app", 4, TimeSpan.FromSeconds(60));
        (h[0].Status, h[0].Commit).ShouldBe(("failed", c4));
        h[0].Notes.ShouldContain("previous one kept running");

        (await Webhook(port, c4, "forged")).ShouldBe(HttpStatusCode.Forbidden);
        await Task.Delay(500);
        store.History("web-app").Count.ShouldBe(4);
        view = Inspect("web");
        Running(view).ShouldBeTrue();
        view.ToJsonString().ShouldContain("MODE=two");

        var logs = Volt("gitops", "logs", "--name", "web-app");
        logs.Out.ShouldContain("webhook (github)");
        logs.Out.ShouldContain(c2[..7]);

        // Rollback to the first commit pauses auto-deploy: the next push is ignored until resume.
        var rb = Volt("gitops", "rollback", "--name", "web-app", "--to", c1[..7]);
        rb.Code.ShouldBe(0, rb.Err);
        Inspect("web").ToJsonString().ShouldContain("MODE=one");
        store.History("web-app")[0].ShouldSatisfyAllConditions(e => e.Commit.ShouldBe(c1), e => e.Trigger.ShouldBe("rollback"));
        (await Webhook(port, c2)).ShouldBe(HttpStatusCode.Accepted);
        await Task.Delay(500);
        store.History("web-app").Count.ShouldBe(5); // the push while paused records nothing
        Volt("gitops", "resume", "--name", "web-app").Code.ShouldBe(0);
        (await Webhook(port, c2)).ShouldBe(HttpStatusCode.Accepted);
        (await Wait.ForHistory(store, "web-app", 6, TimeSpan.FromSeconds(60)))[0].Commit.ShouldBe(c2);
        Inspect("web").ToJsonString().ShouldContain("MODE=two");
    }

    public void Dispose()
    {
        if (_serve is { HasExited: false }) { _serve.Kill(entireProcessTree: true); _serve.WaitForExit(5000); }
        _serve?.Dispose();
        foreach (var name in new[] { "web", "web-gitops-next" }) Volt("container", "delete", "-f", name);
        var pidFile = Path.Combine(_root, "var/run/volt/volt.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(); p.WaitForExit(5000); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        _git.Dispose();
        _dir.Dispose();
    }
}
