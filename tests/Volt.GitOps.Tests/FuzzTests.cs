using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Core.Processes;
using Volt.GitOps.Deploy;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.GitOps.Webhooks;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

/// <summary>
/// Our own seeded fuzzing, bounded for CI. <c>VOLT_FUZZ_ITERATIONS</c> sets the iterations per test (default a few
/// seconds' worth), <c>VOLT_FUZZ_SEED</c> replays a run; every failure message names the seed and the iteration.
/// </summary>
internal static class Fuzz
{
    public static int Iterations(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : fallback;

    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_SEED"), out var s) ? s : Random.Shared.Next();

    /// <summary>Strings an attacker would put in every field: options for git/svn, refs git refuses, odd text.</summary>
    public static readonly string[] Hostile =
    [
        "-x", "-h", "--upload-pack=touch {MARKER} #", "--output=/tmp/x", "-oProxyCommand=touch {MARKER}", "ext::sh -c touch% {MARKER}",
        "fd::3", "refs/heads/-h", "refs/heads/--upload-pack=x", "refs/heads/a..b", "refs/heads/ma\u0000in", "refs/heads/\ud800",
        "\udfff", "0000000000000000000000000000000000000000", "HEAD", "main~1", "@{-1}", "$(touch {MARKER})", "`touch {MARKER}`",
        "; touch {MARKER}", "", " ", "\n", "refs/tags/v1", "refs/heads/main", "fd489864e7642b48eaad6e3f155c10e46810ec72 --",
    ];

    public static JsonNode? WrongType(Random r) => r.Next(7) switch
    {
        0 => JsonValue.Create(r.Next()),
        1 => new JsonArray(),
        2 => new JsonObject(),
        3 => null,
        4 => JsonValue.Create(r.Next(2) == 0),
        5 => JsonValue.Create(1e308),
        _ => new JsonArray(JsonValue.Create("x"), JsonValue.Create(1)),
    };

    /// <summary>Every (parent, key) of the document's values, so one can be replaced.</summary>
    public static List<(JsonNode Parent, object Key)> Slots(JsonNode root)
    {
        var list = new List<(JsonNode, object)>();
        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList()) { list.Add((o, k)); Walk(v); }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) { list.Add((a, i)); Walk(a[i]); }
                    break;
            }
        }
        Walk(root);
        return list;
    }

    public static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o) o[(string)key] = value;
        else ((JsonArray)parent)[(int)key] = value;
    }

    /// <summary>One mutation of a real payload: structural (a value replaced) or raw bytes.</summary>
    public static byte[] Mutate(Random r, byte[] original, string marker)
    {
        var kind = r.Next(10);
        if (kind <= 4)
        {
            var doc = JsonNode.Parse(original)!;
            var slots = Slots(doc);
            var rounds = 1 + r.Next(3);
            for (var i = 0; i < rounds; i++)
            {
                var (parent, key) = slots[r.Next(slots.Count)];
                JsonNode? value = kind switch
                {
                    0 or 1 => JsonValue.Create(Hostile[r.Next(Hostile.Length)].Replace("{MARKER}", marker)),
                    2 => WrongType(r),
                    3 => JsonValue.Create(new string((char)r.Next('a', 'z' + 1), r.Next(2) == 0 ? 70_000 : 1 + r.Next(300))),
                    _ => JsonValue.Create(RandomText(r)),
                };
                try { Set(parent, key, value); } catch (InvalidOperationException) { }
            }
            return Encoding.UTF8.GetBytes(doc.ToJsonString());
        }
        var bytes = original.ToList();
        switch (kind)
        {
            case 5: // byte flips
                for (var i = 0; i < 1 + r.Next(8); i++) bytes[r.Next(bytes.Count)] = (byte)r.Next(256);
                break;
            case 6: // truncation
                return [.. original.Take(r.Next(original.Length))];
            case 7: // invalid UTF-8 inside a string value
            {
                var quotes = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == '"').ToList();
                var at = quotes.Count > 0 ? quotes[r.Next(quotes.Count)] + 1 : 0;
                byte[][] bad = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0x80]];
                bytes.InsertRange(Math.Min(at, bytes.Count), bad[r.Next(bad.Length)]);
                break;
            }
            case 8: // JSON escapes: lone surrogates, NUL, control characters
            {
                var quotes = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == '"').ToList();
                var at = quotes.Count > 0 ? quotes[r.Next(quotes.Count)] + 1 : 0;
                string[] esc = ["\\ud800", "\\udfff", "\\u0000", "\\ud800\\ud800", "\\u001b", "\\\\", "\\"];
                bytes.InsertRange(Math.Min(at, bytes.Count), Encoding.ASCII.GetBytes(esc[r.Next(esc.Length)]));
                break;
            }
            default: // nesting and wrappers
                string[] wrap = ["[", "{\"a\":", new string('[', 5000), "null", "\"x\"", "[]", "1e999999"];
                return [.. Encoding.ASCII.GetBytes(wrap[r.Next(wrap.Length)]), .. (r.Next(2) == 0 ? bytes : [])];
        }
        return [.. bytes];
    }

    public static string RandomText(Random r)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < r.Next(1, 40); i++)
            sb.Append(r.Next(5) switch { 0 => (char)r.Next(0x20, 0x7f), 1 => (char)r.Next(0x80, 0x800), 2 => '-', 3 => '/', _ => '.' });
        return sb.ToString();
    }
}

/// <summary>Fuzzes the real webhook server (127.0.0.1:0) per provider with mutated, correctly signed real payloads.</summary>
public sealed class WebhookFuzzTests : IAsyncLifetime
{
    private readonly TempDir _dir = new("volt-gitops-fuzz");
    private readonly RecordingDeployer _deployer = new();
    private readonly List<string> _log = [];
    private readonly List<HistoryEntry> _entries = [];
    private GitOpsServer _server = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private PipelineStore Store => new(_dir.Combine("gitops"));
    private string Marker => _dir.Combine("INJECTED");

    public async ValueTask InitializeAsync()
    {
        // Real repository names from the payloads; fetches go to a closed port so deploys fail fast (and are checked).
        const string nowhere = "git://127.0.0.1:1/none.git";
        Store.Create(new Pipeline { Name = "gh", Repo = "https://github.com/binkkatal/sample_app", CloneUrl = nowhere, Provider = "github", Branch = "master", Workload = "w", Secret = "gh-secret" });
        Store.Create(new Pipeline { Name = "gh-open", Repo = "https://github.com/binkkatal/sample_app", CloneUrl = nowhere, Provider = "github", Branch = "main", Workload = "w", InsecureNoSecret = true });
        Store.Create(new Pipeline { Name = "gl", Repo = "git@example.com:mike/diaspora.git", CloneUrl = nowhere, Provider = "gitlab", Branch = "master", Workload = "w", Secret = "gl-secret" });
        Store.Create(new Pipeline { Name = "bb", Repo = "https://bitbucket.org/team_name/repo_name", CloneUrl = nowhere, Provider = "bitbucket", Branch = "name-of-branch", Workload = "w", Secret = "bb-secret" });
        _server = await GitOpsServer.StartAsync(new GitOpsServerOptions
        {
            Store = Store, Sources = new SourceControl(new ProcessRunner()), Workloads = _deployer, Listen = "127.0.0.1", Port = 0,
            Logging = new ListLoggerFactory(_log),
        });
        _server.Queue.Deployed += (_, e) => { lock (_entries) _entries.Add(e); };
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
        _http.Dispose();
    }

    private static byte[] Payload(string file) => File.ReadAllBytes(Path.Combine(TestEnv.TestData, "webhooks", file));

    private HttpRequestMessage Request(Random r, string provider, byte[] body)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/hooks/" + provider)) { Content = new ByteArrayContent(body) };
        void H(string k, string v) => req.Headers.TryAddWithoutValidation(k, v);
        var hostile = Fuzz.Hostile[r.Next(Fuzz.Hostile.Length)].Replace("{MARKER}", Marker);
        hostile = new string([.. hostile.Where(c => c is >= ' ' and < (char)0x7f)]);
        var oddHeader = r.Next(8) == 0;
        switch (provider)
        {
            case "github":
                H("X-GitHub-Event", oddHeader ? hostile : r.Next(10) == 0 ? "ping" : "push");
                if (r.Next(10) != 0) H("X-Hub-Signature-256", r.Next(15) == 0 ? "sha256=" + hostile : Signatures.HubSignature("gh-secret", body));
                break;
            case "gitlab":
                H("X-Gitlab-Event", oddHeader ? hostile : "Push Hook");
                if (r.Next(4) == 0)
                {
                    var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
                    var id = r.Next(6) == 0 ? hostile : "msg_" + r.Next();
                    H("webhook-id", id); H("webhook-timestamp", r.Next(10) == 0 ? hostile : ts);
                    H("webhook-signature", Signatures.StandardSignature("gl-secret", id, ts, body));
                }
                else H("X-Gitlab-Token", r.Next(15) == 0 ? hostile : "gl-secret");
                break;
            default:
                H("X-Event-Key", oddHeader ? hostile : "repo:push");
                H("X-Hub-Signature", Signatures.HubSignature("bb-secret", body));
                break;
        }
        if (r.Next(3) == 0)
            H(DeliveryLog.Headers(provider)[0], r.Next(5) switch { 0 => hostile, 1 => new string('d', 200 + r.Next(3000)), _ => Guid.NewGuid().ToString() });
        return req;
    }

    [Theory]
    [InlineData("github", "github-push-branch-updated.json")]
    [InlineData("github", "github-push-branch-created.json")]
    [InlineData("github", "github-push-tag-deleted.json")]
    [InlineData("gitlab", "gitlab-push.json")]
    [InlineData("gitlab", "gitlab-tag-push.json")]
    [InlineData("bitbucket", "bitbucket-push.json")]
    public async Task Mutated_signed_payloads_never_get_a_5xx_or_deploy_an_invalid_push(string provider, string file)
    {
        var seed = Fuzz.Seed();
        var r = new Random(seed);
        var original = Payload(file);
        var iterations = Fuzz.Iterations(120);
        var answered = new Dictionary<int, int>();
        for (var i = 0; i < iterations; i++)
        {
            var body = Fuzz.Mutate(r, original, Marker);
            using var req = Request(r, provider, body);
            HttpResponseMessage resp;
            try { resp = await _http.SendAsync(req); }
            catch (HttpRequestException e) { throw new ShouldAssertException($"seed {seed} iteration {i}: request failed: {e.Message}"); }
            using (resp)
            {
                var code = (int)resp.StatusCode;
                var text = await resp.Content.ReadAsStringAsync();
                answered[code] = answered.GetValueOrDefault(code) + 1;
                if (code >= 500 || code is not (200 or 202 or 400 or 403 or 413 or 431))
                    throw new ShouldAssertException($"seed {seed} iteration {i}: {code} \"{text.Trim()}\" for body {Encoding.UTF8.GetString(body.Take(300).ToArray())}");
                if (code == 400) text.Trim().ShouldNotBeEmpty($"seed {seed} iteration {i}: a 400 without its reason");
            }
        }
        await _server.Queue.DrainAsync(TimeSpan.FromSeconds(30));
        File.Exists(Marker).ShouldBeFalse($"seed {seed}: an injected command ran");
        lock (_log) _log.ShouldNotContain(l => l.Contains(" 500 ") || l.Contains("unexpected error"), $"seed {seed}");
        lock (_entries)
            foreach (var e in _entries)
                (GitNames.IsCommitId(e.Commit) || e.Commit == "-").ShouldBeTrue($"seed {seed}: deployed an invalid commit \"{e.Commit}\"");
        foreach (var p in Store.List())
            foreach (var e in Store.History(p.Name))
            {
                GitNames.IsCommitId(e.Commit).ShouldBeTrue($"seed {seed}: history of {p.Name} holds \"{e.Commit}\"");
                e.Notes.ShouldNotStartWith("unexpected error", customMessage: $"seed {seed}");
            }
        _deployer.Deployed.ShouldBeEmpty($"seed {seed}"); // every clone URL is closed: nothing can reach the workload engine
        answered.Keys.ShouldContain(400, $"seed {seed}: the mutations never reached the parser ({string.Join(", ", answered)})");
    }

    [Fact]
    public async Task Hostile_headers_never_get_a_5xx()
    {
        var seed = Fuzz.Seed();
        var r = new Random(seed);
        var body = Payload("github-push-branch-updated.json");
        string[] names = ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256", "X-Hub-Signature", "Content-Type", "Content-Encoding", "X-Gitlab-Token", "webhook-id", "webhook-timestamp", "webhook-signature", "X-Event-Key", "X-Request-UUID"];
        for (var i = 0; i < Fuzz.Iterations(150); i++)
        {
            var provider = new[] { "github", "gitlab", "bitbucket" }[r.Next(3)];
            using var req = Request(r, provider, body);
            for (var j = 0; j < 1 + r.Next(4); j++)
            {
                var name = names[r.Next(names.Length)];
                if (name.StartsWith("Content-", StringComparison.Ordinal)) req.Content!.Headers.Remove(name);
                else req.Headers.Remove(name);
                var value = r.Next(4) switch
                {
                    0 => Fuzz.Hostile[r.Next(Fuzz.Hostile.Length)].Replace("{MARKER}", Marker),
                    1 => new string('v', r.Next(1, 20_000)),
                    2 => Fuzz.RandomText(r),
                    _ => "sha256=" + new string('0', r.Next(0, 200)),
                };
                value = new string([.. value.Where(c => c is >= ' ' and < (char)0x7f)]);
                if (name.StartsWith("Content-", StringComparison.Ordinal)) req.Content!.Headers.TryAddWithoutValidation(name, value);
                else req.Headers.TryAddWithoutValidation(name, value);
            }
            using var resp = await _http.SendAsync(req);
            ((int)resp.StatusCode).ShouldBeLessThan(500, $"seed {seed} iteration {i}: {await resp.Content.ReadAsStringAsync()}");
        }
        await _server.Queue.DrainAsync(TimeSpan.FromSeconds(30));
        File.Exists(Marker).ShouldBeFalse($"seed {seed}");
        _deployer.Deployed.ShouldBeEmpty();
    }
}

/// <summary>Fuzzes the manifest parser: every input is a manifest or a ManifestException with its position.</summary>
public sealed class ManifestFuzzTests
{
    private const string Valid = """
        kind: container
        name: web
        image: busybox:local
        command: ["/bin/httpd", "-f", "-p", "8080"]
        env:
          MODE: prod
          LEVEL: "3"
        ports: ["8080:8080"]
        volumes: ["/srv/data:/data:ro"]
        resources: { memory: 256M, cpu: 50, pids: 100 }
        restart: on-failure

        """;

    private static readonly string[] Inserts =
    [
        "[", "]", "{", "}", ":", ": ", "- ", "? ", "&a ", "*a", "*b ", "!!binary ", "!tag ", "|", ">", "'", "\"", "%YAML 1.2\n", "@", "`", "\t",
        "\n", "\n  ", "---\n", "...\n", "#", ",", "\\", "\u0000", "\ud800", "\uffff", "<<: *a\n", "&a [*a]", "!!map {", "- - - -",
        "command: [\"/bin/httpd\", \"-p\", \"8080\"\n", "env: {A: 1\n", "image: [", "resources: [", new string('[', 40), new string(' ', 500),
    ];

    [Fact]
    public void Mutated_manifests_parse_or_fail_with_a_position()
    {
        var seed = Fuzz.Seed();
        var r = new Random(seed);
        for (var i = 0; i < Fuzz.Iterations(3000); i++)
        {
            var text = Valid;
            for (var k = 0; k < 1 + r.Next(4); k++)
            {
                var at = r.Next(text.Length + 1);
                text = r.Next(5) switch
                {
                    0 => text[..at],
                    1 => text.Remove(at, Math.Min(r.Next(1, 10), text.Length - at)),
                    2 => at < text.Length ? text[..at] + (char)r.Next(0, 0x250) + text[(at + 1)..] : text,
                    _ => text.Insert(at, Inserts[r.Next(Inserts.Length)]),
                };
            }
            try { ManifestParser.Parse(text); }
            catch (ManifestException e)
            {
                e.Message.ShouldMatch(@"^volt-manifest\.yaml line \d+, column \d+: \S", $"seed {seed} iteration {i}: {text}");
                e.Message.ShouldNotContain("\n", customMessage: $"seed {seed} iteration {i}");
            }
            catch (Exception e)
            {
                throw new ShouldAssertException($"seed {seed} iteration {i}: {e.GetType().Name}: {e.Message}\n--- input ---\n{text}");
            }
        }
    }

    [Fact]
    public void Huge_and_deep_manifests_are_refused_with_a_position()
    {
        Should.Throw<ManifestException>(() => ManifestParser.Parse("image: a\ncommand: " + new string('[', 100_000))).Message.ShouldContain("nested deeper");
        Should.Throw<ManifestException>(() => ManifestParser.Parse("image: " + new string('a', 300_000))).Message.ShouldContain("larger than");
        var anchors = "a: &a [x]\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"k{i}: &a{i} [*a, *a]\n"));
        Should.Throw<ManifestException>(() => ManifestParser.Parse(anchors)).Message.ShouldContain("unknown key");
    }
}
