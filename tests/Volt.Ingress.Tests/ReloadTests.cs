using System.Net;
using Shouldly;
using Volt.Ingress.Routes;
using Xunit;

namespace Volt.Ingress.Tests;

public sealed class ReloadTests
{
    [Fact]
    public async Task RouteChangesThroughTheStore_AreSeenByTheNextRequest_WithoutARestart()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var ing = new Ingress();
        ing.Add("web", "app.example.com", a.Target);
        await ing.StartAsync(watch: true);
        using var c = ing.Client();
        (await c.GetStringAsync("http://app.example.com/")).ShouldContain("backend=a");
        var gen = ing.Server.Generation;
        ing.Add("api", "app.example.com", b.Target, path: "/api");
        await ProxyTests.Until(() => Task.FromResult(ing.Server.Generation > gen));
        (await c.GetStringAsync("http://app.example.com/api/x")).ShouldContain("backend=b");
        ing.Store.Delete("api");
        await ProxyTests.Until(async () => (await c.GetStringAsync("http://app.example.com/api/x")).Contains("backend=a"));
    }

    [Fact]
    public async Task ReloadsUnderContinuousLoad_DropNothing_AndInFlightRequestsFinish()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var ing = new Ingress();
        var certA = TestCerts.Write(ing.Dir, "a", ["app.example.com"]);
        ing.Add("web", "app.example.com", a.Target, tls: TlsModes.Manual, cert: certA.Cert, key: certA.Key);
        await ing.StartAsync();
        using var stop = new CancellationTokenSource();
        long ok = 0, failed = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task Load(bool tls)
        {
            using var c = ing.Client();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var r = await c.GetAsync(tls ? "https://app.example.com/x" : "http://app.example.com/x");
                    if (r.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else { Interlocked.Increment(ref failed); errors.Add(((int)r.StatusCode).ToString()); }
                }
                catch (HttpRequestException e) { Interlocked.Increment(ref failed); errors.Add(e.Message); }
            }
        }
        // a slow request started before the reloads finishes on the old configuration
        using var slowClient = ing.Client();
        var slow = slowClient.GetAsync("http://app.example.com/slow?ms=1500");
        var loaders = Enumerable.Range(0, 8).Select(i => Task.Run(() => Load(i % 2 == 0))).ToList();
        for (int i = 0; i < 40; i++)
        {
            // alternate the backend and the certificate: every reload changes the route's id and the presented cert
            var cert = TestCerts.Write(ing.Dir, "c" + i, ["app.example.com"]);
            var file = Path.Combine(ing.Store.Dir, "web.json");
            var r = ing.Store.Get("web") with { Backends = [i % 2 == 0 ? b.Target : a.Target], Cert = cert.Cert, Key = cert.Key };
            File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(r, IngressJson.Default.IngressRoute));
            ing.Server.Reload("test").Applied.ShouldBeTrue();
            (await TlsTests.Presented(ing, "app.example.com")).Thumbprint.ShouldBe(cert.X509.Thumbprint);
        }
        await stop.CancelAsync();
        await Task.WhenAll(loaders);
        (await slow).StatusCode.ShouldBe(HttpStatusCode.OK);
        errors.ShouldBeEmpty();
        failed.ShouldBe(0);
        ok.ShouldBeGreaterThan(0);
    }
}
