using System.Net;
using Shouldly;
using Volt.Registry.Storage;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of the registry's HTTP surface over real sockets. A run fails on any 5xx, on a server that stops
/// answering, on a store that fails verification, and on an upload session or manifest left by a request that was
/// rejected. <c>VOLT_FUZZ_ITERATIONS</c> (default 300, a few seconds) and <c>VOLT_FUZZ_SEED</c> (default fixed;
/// <c>random</c> for a new one) make longer or different runs; a failure names the seed and the request;
/// <c>VOLT_FUZZ_REPORT</c> names a file that gets each run's status counts.
/// </summary>
public sealed class RegistryFuzzTests : RegistryTestBase
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 300;

    private static int Seed(int salt) => Environment.GetEnvironmentVariable("VOLT_FUZZ_SEED") switch
    {
        "random" => Random.Shared.Next(),
        { } s when int.TryParse(s, out var v) => v,
        _ => 20261201 + salt,
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Fuzz_MalformedTraffic_NeverFailsTheServerOrLeavesState(int salt)
    {
        var seed = Seed(salt);
        var config = await Oci.PushBlobAsync("app", "{\"os\":\"linux\"}"u8.ToArray());
        var layer = await Oci.PushBlobAsync("app", OciClient.RandomBytes(100));
        var fuzzer = new RequestFuzzer(seed, PushToken(), config, layer);
        var acceptedSessions = new HashSet<string>();
        var acceptedManifests = new HashSet<string>();
        string? session = null;
        var log = new List<string>();
        for (var i = 0; i < Iterations; i++)
        {
            var request = fuzzer.Next(session);
            var r = await RawHttp.SendAsync(Server.Address, request.Bytes, Ct, request.Abandon);
            log.Add($"{r.Status} {request.Summary}");
            var context = $"seed {seed} (VOLT_FUZZ_SEED={seed}), request {i}: {request.Summary}\n{r.Head}\n{Trim(r.Body)}";
            r.Status.ShouldNotBeInRange(500, 599, context);
            if (Header(r, "Docker-Upload-UUID") is { } id && r.Status == 202)
            {
                acceptedSessions.Add(id);
                session = Header(r, "Location");
            }
            if (request.Kind == "manifest-put" && r.Status == 201 && Header(r, "Docker-Content-Digest") is { } d) acceptedManifests.Add(d);
            if (i % 50 == 49) (await Http.GetAsync("/v2/", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, $"server stopped answering; {context}");
        }

        var summary = $"seed {seed}, {Iterations} requests, by status: " + string.Join(", ",
            log.GroupBy(l => l.Split(' ')[0]).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("VOLT_FUZZ_REPORT") is { Length: > 0 } report) File.AppendAllText(report, summary + "\n");
        var where = $"seed {seed} (VOLT_FUZZ_SEED={seed}); last requests:\n{string.Join('\n', log.TakeLast(20))}";
        var leftSessions = Directory.Exists(Server.Store.Uploads.Root)
            ? Directory.EnumerateDirectories(Server.Store.Uploads.Root).Select(Path.GetFileName).ToList() : [];
        leftSessions.Where(s => !acceptedSessions.Contains(s!)).ShouldBeEmpty($"upload sessions no accepted request created; {where}");
        var manifestRefs = Cas.Refs.List(RegistryStore.RefRoot).Where(r => r.Name.Contains("/_manifests/") || r.Name.Contains("/_tags/"));
        manifestRefs.Where(r => !acceptedManifests.Contains(r.Digest)).Select(r => r.Name).ShouldBeEmpty($"manifests no accepted PUT stored; {where}");
        var verify = new Verifier(Cas, 2).Run(repair: false, ct: Ct);
        verify.Ok.ShouldBeTrue($"cas verify: {verify.Corrupt.Count} corrupt, {verify.Missing.Count} missing; {where}");
        (verify.Unparseable ?? []).ShouldBeEmpty($"a stored manifest does not parse; {where}");
        new GarbageCollector(Cas).Run(dryRun: true, grace: TimeSpan.Zero, Ct).Unparseable!.ShouldBeEmpty();
    }

    private static string? Header(RawResponse r, string name)
    {
        foreach (var line in r.Head.Split("\r\n"))
            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)) return line[(name.Length + 1)..].Trim();
        return null;
    }

    private static string Trim(string s) => s.Length > 500 ? s[..500] + "…" : s;
}
