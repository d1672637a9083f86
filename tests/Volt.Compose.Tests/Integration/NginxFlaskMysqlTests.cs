using System.Diagnostics;
using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// ../shared/testdata/compose/nginx-flask-mysql/compose.yaml as it is, with volt.override.yaml (beside this file)
/// swapping its Docker Hub image and <c>build:</c> contexts for one image built from Debian packages
/// (<c>volt image create … --include mariadb-server,nginx-light,python3-flask,…</c>, cached by its inputs under
/// /var/cache/volt-test/build). Everything runs inside a network namespace the test creates, volt-dns included:
/// the backend (on both stack networks) reaches <c>db</c> by name, nginx reaches <c>backend</c> by name, the
/// <c>service_healthy</c> chain is observed in order, the page through the published port 80 holds rows read from
/// MariaDB, and <c>down</c> leaves no container, veth, nft rule, network, cgroup or mount (the volume only with -v).
/// </summary>
public sealed class NginxFlaskMysqlTests
{
    [Fact]
    public async Task The_testdata_stack_serves_rows_from_mariadb_through_nginx_by_service_names_and_down_leaves_nothing()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.RequireTool("debootstrap");
        TestEnv.RequireTool("curl");
        TestEnv.RequireTool("nft");
        using var dir = new TempDir("compose-nfm");
        var (root, env) = StackImage.Create(dir, "nfm-debian");

        var compose = Path.Combine(TestEnv.TestData, "compose", "nginx-flask-mysql", "compose.yaml");
        var project = Path.Combine(TestEnv.RepoRoot, "tests", "Volt.Compose.Tests", "Integration", "nginx-flask-mysql");
        var ns = "vn" + Guid.NewGuid().ToString("N")[..8];
        TestEnv.Run("ip", "netns", "add", ns).Code.ShouldBe(0);
        string[] In(params string[] a) => [Netns.Enter(ns), .. a];
        (int Code, string Out, string Err) Sh(params string[] a) => TestEnv.Run("nsenter", In(a));
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run("nsenter", In([VoltBinary.Path, .. a]), env, null);
        (int Code, string Out, string Err) Compose(params string[] a) =>
            Volt(["compose", "-f", compose, "-f", Path.Combine(project, "volt.override.yaml"), "--project-directory", project, "-p", "nfm", .. a]);
        Process? dns = null;
        try
        {
            Sh("ip", "link", "set", "lo", "up");
            dns = await StartDnsAsync(ns, env);

            var up = Compose("up", "-d", "--wait-timeout", "3m");
            up.Code.ShouldBe(0, up.Out + up.Err);
            var lines = up.Out.Split('\n').ToList();
            int At(string s) => lines.FindIndex(l => l.Contains(s, StringComparison.Ordinal));
            At("db (nfm-db-1): healthy").ShouldBeGreaterThanOrEqualTo(0, up.Out);
            At("backend (nfm-backend-1): created").ShouldBeGreaterThan(At("db (nfm-db-1): healthy"), up.Out);
            At("proxy (nfm-proxy-1): created").ShouldBeGreaterThan(At("backend (nfm-backend-1): started"), up.Out);

            var ps = Compose("ps");
            ps.Out.ShouldContain("running (healthy)", customMessage: ps.Out);

            // The backend joined both stack networks and answers "backend" on each (what volt-dns serves).
            var attachments = Directory.GetFiles(Path.Combine(root, "var/lib/volt/networks/attachments"), "nfm-backend-1@*.json");
            attachments.Length.ShouldBe(2, string.Join(", ", attachments));
            foreach (var a in attachments) File.ReadAllText(a).ShouldContain("\"backend\"");
            var lookup = Volt("dns", "lookup", "db", "--from", "nfm-backend-1");
            lookup.Code.ShouldBe(0, lookup.Out + lookup.Err);

            // Through nginx (port 80, NET_BIND_SERVICE from cap_add) to flask, which reads the rows from MariaDB.
            var page = await PageAsync(() => Sh("curl", "-s", "-m", "10", "http://127.0.0.1:80/"), "Blog post #1");
            page.ShouldContain("<div>Hello Blog post #4</div>");
            Sh("curl", "-s", "-m", "10", "http://127.0.0.1:8000/").Out.ShouldContain("Blog post #2");

            var down = Compose("down");
            down.Code.ShouldBe(0, down.Out + down.Err);
            Volt("container", "list").Out.ShouldNotContain("nfm-");
            Volt("network", "list").Out.ShouldNotContain("nfm");
            Sh("ip", "-o", "link").Out.ShouldNotContain("vh-");
            var rules = Sh("nft", "list", "ruleset").Out;
            rules.ShouldNotContain("dport 80");
            rules.ShouldNotContain("8000");
            File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(root);
            CgroupsOf("nfm-").ShouldBeEmpty();
            Directory.Exists(Path.Combine(root, "var/lib/volt/volumes/nfm_db-data/mysql")).ShouldBeTrue("down keeps the database volume");
            Compose("down", "-v").Code.ShouldBe(0);
            Directory.Exists(Path.Combine(root, "var/lib/volt/volumes/nfm_db-data")).ShouldBeFalse("down -v removes it");
        }
        finally
        {
            Compose("down", "-v");
            if (dns is { HasExited: false }) { dns.Kill(); dns.WaitForExit(5000); }
            dns?.Dispose();
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
            TestEnv.Run("ip", "netns", "delete", ns);
        }
    }

    /// <summary><c>volt dns serve</c> in the namespace (it follows the stack's networks as they are created).</summary>
    internal static async Task<Process> StartDnsAsync(string ns, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("nsenter", [Netns.Enter(ns), VoltBinary.Path, "dns", "serve", "--upstream", "127.0.0.1:9"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var err = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { ready.TrySetException(new InvalidOperationException("volt dns serve exited: " + err)); return; }
            lock (err) err.AppendLine(e.Data);
            if (e.Data.Contains("listening on", StringComparison.Ordinal)) ready.TrySetResult();
        };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return p;
    }

    /// <summary>The page once it holds <paramref name="expected"/> (nginx and flask start after up returns), within 60 s.</summary>
    internal static async Task<string> PageAsync(Func<(int Code, string Out, string Err)> get, string expected)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var last = "";
        while (!deadline.IsCancellationRequested)
        {
            var r = get();
            last = $"exit {r.Code}: {r.Out}{r.Err}";
            if (r.Out.Contains(expected, StringComparison.Ordinal)) return r.Out;
            try { await Task.Delay(500, deadline.Token); } catch (OperationCanceledException) { }
        }
        throw new ShouldAssertException($"the page never held \"{expected}\" within 60 s; last answer: {last}");
    }

    internal static List<string> CgroupsOf(string prefix)
    {
        var found = new List<string>();
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            try
            {
                found.AddRange(Directory.EnumerateDirectories(hierarchy, "*" + prefix + "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true }));
            }
            catch (IOException) { }
        }
        return found;
    }
}
