using System.Net;
using System.Text.Json;
using Shouldly;
using Volt.Registry.Storage;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class DiscoveryTests : RegistryTestBase
{
    [Fact]
    public async Task TagsList_WithN_PagesWithLinkHeaderUntilTheEnd()
    {
        var img = await Oci.PushImageAsync("app", "a");
        foreach (var t in new[] { "b", "c", "d", "e" }) await Oci.PutManifestAsync("app", t, img.Manifest);
        var seen = new List<string>();
        var next = "/v2/app/tags/list?n=2";
        while (next is not null)
        {
            var r = await Anonymous.GetAsync(next, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(Ct));
            var tags = doc.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!).ToList();
            tags.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(tags);
            next = r.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }
        seen.ShouldBe(["a", "b", "c", "d", "e"]);
    }

    [Fact]
    public async Task TagsList_WithLast_StartsAfterIt()
    {
        var img = await Oci.PushImageAsync("app", "a");
        await Oci.PutManifestAsync("app", "b", img.Manifest);
        await Oci.PutManifestAsync("app", "c", img.Manifest);
        (await Anonymous.GetStringAsync("/v2/app/tags/list?last=a", Ct)).ShouldBe("{\"name\":\"app\",\"tags\":[\"b\",\"c\"]}");
    }

    [Fact]
    public async Task TagsList_OfUnknownRepository_Returns404NameUnknown()
    {
        var r = await Anonymous.GetAsync("/v2/nothing/tags/list", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("NAME_UNKNOWN");
    }

    [Fact]
    public async Task Catalog_ListsNestedRepositoriesSorted_AndPages()
    {
        foreach (var repo in new[] { "b", "a/x", "a", "c/d/e" }) await Oci.PushImageAsync(repo, "v1");
        (await Anonymous.GetStringAsync("/v2/_catalog", Ct)).ShouldBe("{\"repositories\":[\"a\",\"a/x\",\"b\",\"c/d/e\"]}");
        var page = await Anonymous.GetAsync("/v2/_catalog?n=2&last=a", Ct);
        (await page.Content.ReadAsStringAsync(Ct)).ShouldBe("{\"repositories\":[\"a/x\",\"b\"]}");
        page.Headers.GetValues("Link").Single().ShouldBe("</v2/_catalog?n=2&last=b>; rel=\"next\"");
    }

    [Fact]
    public async Task Referrers_ListsManifestsWithThatSubject_AndFiltersByArtifactType()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var subject = (img.ManifestDigest, (long)img.Manifest.Length);
        var sbom = OciClient.Manifest(img.ConfigDigest, 0, [], artifactType: "application/vnd.example.sbom", subject: subject,
            annotations: new() { ["org.example.kind"] = "sbom" });
        var sig = OciClient.Manifest(img.ConfigDigest, 0, [], artifactType: "application/vnd.example.signature", subject: subject);
        foreach (var m in new[] { sbom, sig }) (await Oci.PutManifestAsync("app", OciClient.Sha256(m), m)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var all = await Anonymous.GetAsync($"/v2/app/referrers/{img.ManifestDigest}", Ct);
        all.StatusCode.ShouldBe(HttpStatusCode.OK);
        all.Content.Headers.ContentType!.MediaType.ShouldBe(MediaTypes.OciIndex);
        all.Headers.Contains("OCI-Filters-Applied").ShouldBeFalse();
        using (var doc = JsonDocument.Parse(await all.Content.ReadAsStringAsync(Ct)))
        {
            var ms = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            ms.Select(m => m.GetProperty("artifactType").GetString()).Order()
                .ShouldBe(["application/vnd.example.sbom", "application/vnd.example.signature"]);
            ms.Single(m => m.GetProperty("digest").GetString() == OciClient.Sha256(sbom))
                .GetProperty("annotations").GetProperty("org.example.kind").GetString().ShouldBe("sbom");
        }

        var filtered = await Anonymous.GetAsync($"/v2/app/referrers/{img.ManifestDigest}?artifactType=application/vnd.example.signature", Ct);
        filtered.Headers.GetValues("OCI-Filters-Applied").Single().ShouldBe("artifactType");
        using (var doc = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync(Ct)))
            doc.RootElement.GetProperty("manifests").EnumerateArray().Single().GetProperty("digest").GetString().ShouldBe(OciClient.Sha256(sig));
    }

    [Fact]
    public async Task Referrers_OfADigestWithNone_ReturnsAnEmptyIndex()
    {
        await Oci.PushImageAsync("app", "v1");
        var r = await Anonymous.GetStringAsync($"/v2/app/referrers/{OciClient.Sha256([9])}", Ct);
        r.ShouldBe("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
    }
}
