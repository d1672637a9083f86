using System.Diagnostics;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.GitOps.Pipelines;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>Option checks of the gitops commands through the real binary: exit codes, one-line errors, secrets.</summary>
public sealed class CliValidationTests : IDisposable
{
    private readonly TempDir _dir = new("volt-gitops-opts");

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_dir.Path, args);

    private (int Code, string Out, string Err) VoltEnv(IDictionary<string, string> env, params string[] args)
    {
        var all = new Dictionary<string, string>(env) { ["VOLT_ROOT"] = _dir.Path, ["VOLT_COLOR"] = "never" };
        return TestEnv.Run(VoltBinary.Path, args, all, null);
    }

    /// <summary>A create command line; an option in <paramref name="more"/> replaces its default.</summary>
    private static string[] Create(string name, string provider = "github", string repo = "https://github.com/o/r", params string[] more)
    {
        var args = new List<string> { "gitops", "create", "--name", name };
        foreach (var (k, v) in new[] { ("--repo", repo), ("--provider", provider), ("--workload", "web") })
            if (!more.Contains(k)) args.AddRange([k, v]);
        return [.. args, .. more];
    }

    private PipelineStore Store => new(Path.Combine(_dir.Path, "var/lib/volt/gitops"));

    public void Dispose() => _dir.Dispose();

    private static void OneLineUsage((int Code, string Out, string Err) r, string option)
    {
        r.Code.ShouldBe(2, r.Err);
        // The parser's own errors add the usage hint line after the one error line.
        var lines = r.Err.Trim().Split('\n').Where(l => !l.StartsWith("Run 'volt ", StringComparison.Ordinal)).ToArray();
        lines.Length.ShouldBe(1, r.Err);
        lines[0].ShouldStartWith("Error: ");
        lines[0].ShouldContain(option);
        lines[0].Length.ShouldBeLessThan(300);
    }

    [Theory]
    [InlineData("github")]
    [InlineData("gitlab")]
    [InlineData("bitbucket")]
    public void A_webhook_pipeline_needs_a_secret_or_insecure_no_secret(string provider)
    {
        var r = Volt(Create("p", provider));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("--insecure-no-secret");
        Store.Exists("p").ShouldBeFalse();
        Volt(Create("p", provider, more: "--insecure-no-secret")).Code.ShouldBe(0);
        Store.Get("p").InsecureNoSecret.ShouldBeTrue();
        var list = Volt("gitops", "list");
        list.Out.ShouldContain("none (insecure)");
        JsonNode.Parse(Volt("gitops", "list", "-o", "json").Out)!.AsArray()[0]!["insecure_no_secret"]!.GetValue<bool>().ShouldBeTrue();
        Volt("gitops", "status").Err.ShouldContain("pipeline p has no secret (--insecure-no-secret)");
        Volt(Create("q", provider, more: ["--insecure-no-secret", "--secret", "x"])).Code.ShouldBe(2);
        Volt(Create("s", "svn", "svn://127.0.0.1/trunk")).Code.ShouldBe(0); // svn polls: no secret needed
    }

    [Fact]
    public void Secret_file_and_environment_are_read_and_never_printed()
    {
        var file = _dir.Combine("secret");
        File.WriteAllText(file, "file-secret-123\n");
        var r = Volt(Create("f", more: ["--secret-file", file, "-o", "json"]));
        r.Code.ShouldBe(0, r.Err);
        Store.Get("f").Secret.ShouldBe("file-secret-123");
        var e = VoltEnv(new Dictionary<string, string> { ["VOLT_GITOPS_SECRET"] = "env-secret-456" }, Create("e", more: ["-o", "json"]));
        e.Code.ShouldBe(0, e.Err);
        Store.Get("e").Secret.ShouldBe("env-secret-456");
        var shown = string.Join("\n", r.Out, r.Err, e.Out, e.Err, Volt("gitops", "list", "-o", "json").Out, Volt("gitops", "status", "-o", "json").Out, Volt("gitops", "list").Out);
        shown.ShouldNotContain("file-secret-123");
        shown.ShouldNotContain("env-secret-456");
        Volt(Create("x", more: ["--secret-file", file, "--secret", "y"])).Code.ShouldBe(2);
        Volt(Create("x", more: ["--secret-file", _dir.Combine("missing")])).Code.ShouldBe(3);
        File.WriteAllText(file, "\n");
        Volt(Create("x", more: ["--secret-file", file])).Code.ShouldBe(2);
    }

    [Theory]
    [InlineData("--upload-pack=touch /tmp/volt-injected")]
    [InlineData("-h")]
    [InlineData("ext::sh -c touch% /tmp/volt-injected")]
    [InlineData("fd::3")]
    public void Option_like_and_command_transport_repo_urls_are_refused(string url)
    {
        OneLineUsage(Volt(Create("p", more: ["--repo", url, "--secret", "s"])), "--repo");
        OneLineUsage(Volt(Create("p", more: ["--clone-url", url, "--secret", "s"])), "--clone-url");
        Store.Exists("p").ShouldBeFalse();
    }

    [Theory]
    [InlineData("--branch", "-h")]
    [InlineData("--branch", "a..b")]
    [InlineData("--branch", "--upload-pack=x")]
    [InlineData("--workload", "-x")]
    [InlineData("--poll-interval", "0")]
    [InlineData("--poll-interval", "99999999")]
    public void Bad_create_values_name_their_option(string option, string value) =>
        OneLineUsage(Volt(Create("p", more: [option, value, "--secret", "s"])), option);

    [Theory]
    [InlineData("logs")]
    [InlineData("sync")]
    [InlineData("rollback")]
    [InlineData("resume")]
    [InlineData("delete")]
    [InlineData("create")]
    public void Absurd_names_exit_2_naming_the_option(string command)
    {
        string[] args = command == "create" ? Create(new string('n', 5000), more: ["--secret", "s"]) : ["gitops", command, "--name", new string('n', 5000)];
        OneLineUsage(Volt(args), "--name");
        OneLineUsage(Volt(command == "create" ? Create("../etc", more: ["--secret", "s"]) : ["gitops", command, "--name", "../etc"]), "--name");
    }

    [Theory]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "-5")]
    [InlineData("--limit", "1000000000")]
    public void Logs_limit_is_bounded(string option, string value)
    {
        Volt(Create("p", more: ["--secret", "s"])).Code.ShouldBe(0);
        OneLineUsage(Volt("gitops", "logs", "--name", "p", option, value), option);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--upload-pack=x")]
    [InlineData("HEAD~1")]
    public void Rollback_to_must_be_a_commit(string to)
    {
        Volt(Create("p", more: ["--secret", "s"])).Code.ShouldBe(0);
        OneLineUsage(Volt("gitops", "rollback", "--name", "p", "--to", to), "--to");
        Store.Get("p").Paused.ShouldBeFalse(); // refused before anything changed
    }

    [Theory]
    [InlineData("--port", "0")]
    [InlineData("--port", "99999")]
    [InlineData("--port", "-1")]
    [InlineData("--listen", "nothost")]
    [InlineData("--listen", "")]
    public void Serve_and_install_service_share_one_validation(string option, string value)
    {
        OneLineUsage(Volt("gitops", "install-service", option, value), option);
        File.Exists(Path.Combine(_dir.Path, "etc/systemd/system", "volt-gitops.service")).ShouldBeFalse();
        OneLineUsage(Volt("gitops", "serve", option, value), option);
    }

    [Fact]
    public void Install_service_says_how_to_run_without_systemd_and_how_with_it()
    {
        var r = Volt("gitops", "install-service", "--port", "9191", "--listen", "127.0.0.1");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldNotContain("systemctl enable");
        r.Out.ShouldContain("does not run systemd");
        r.Out.ShouldContain("volt service start volt-gitops"); // voltd runs the unit
        File.ReadAllText(Path.Combine(_dir.Path, "var/lib/volt/units/volt-gitops.service")).ShouldContain("gitops serve --port 9191 --listen 127.0.0.1");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "run/systemd/system")); // the sd_booted marker, under this root
        r = Volt("gitops", "install-service");
        r.Out.ShouldContain("systemctl enable --now volt-gitops.service");
    }

    [Fact]
    public void Status_shows_the_running_server_above_the_table_and_forgets_it_when_it_stops()
    {
        Volt(Create("p", more: ["--secret", "s"])).Code.ShouldBe(0);
        var port = GitServer.FreePort();
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "gitops", "serve", "--port", port.ToString(), "--listen", "127.0.0.1" }) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = _dir.Path;
        using var serve = Process.Start(psi)!;
        try
        {
            GitServer.WaitForPort(port);
            var stateFile = Path.Combine(_dir.Path, "var/run/volt/gitops-serve.json");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(stateFile) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            var status = Volt("gitops", "status");
            status.Out.Split('\n')[0].ShouldMatch($@"^Server: running on http://127\.0\.0\.1:{port} \(pid {serve.Id}\) since .*, \d+ requests, 0 deploys$");
            var json = JsonNode.Parse(Volt("gitops", "status", "-o", "json").Out)!;
            ((string?)json["server"]!["state"], (int?)json["server"]!["pid"]).ShouldBe(("running", serve.Id));
            json["pipelines"]!.AsArray().Count.ShouldBe(1);
            serve.Kill(); // SIGKILL: the state file stays behind, its pid is gone
            serve.WaitForExit();
            Volt("gitops", "status").Out.Split('\n')[0].ShouldStartWith($"Server: not running (stale state of pid {serve.Id}");
        }
        finally
        {
            if (!serve.HasExited) { serve.Kill(); serve.WaitForExit(5000); }
        }
    }

    [Fact]
    public void Sync_of_a_broken_manifest_exits_12_and_records_the_failure()
    {
        using var git = new GitServer();
        git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a\ncommand: [\"/bin/httpd\", \"-p\", \"8080\"\n" });
        Volt(Create("m", repo: git.Url, more: ["--secret", "s"])).Code.ShouldBe(0);
        var r = Volt("gitops", "sync", "--name", "m");
        r.Code.ShouldBe(12, r.Err);
        r.Err.Trim().Split('\n').Length.ShouldBe(1);
        r.Err.ShouldMatch(@"volt-manifest\.yaml line 2, column \d+: ");
        r.Err.ShouldNotContain("Operation is not valid");
        var h = Store.History("m");
        (h.Count, h[0].Status).ShouldBe((1, "failed"));
    }
}
