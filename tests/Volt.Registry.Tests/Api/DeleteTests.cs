using System.Net;
using Shouldly;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class DeleteTests : RegistryTestBase
{
    [Fact]
    public async Task DeleteTag_RemovesOnlyTheTag_ManifestStaysByDigest()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        (await Http.DeleteAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Anonymous.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Anonymous.GetAsync($"/v2/app/manifests/{img.ManifestDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteManifest_ByDigest_RemovesItAndEveryTagNamingIt()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        await Oci.PutManifestAsync("app", "latest", img.Manifest);
        (await Http.DeleteAsync($"/v2/app/manifests/{img.ManifestDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        foreach (var reference in new[] { "v1", "latest", img.ManifestDigest })
            (await Anonymous.GetAsync($"/v2/app/manifests/{reference}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var again = await Http.DeleteAsync($"/v2/app/manifests/{img.ManifestDigest}", Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(again)).ShouldBe("MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task DeleteBlob_UnlinksItFromTheRepository()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        (await Http.DeleteAsync($"/v2/app/blobs/{img.LayerDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Anonymous.GetAsync($"/v2/app/blobs/{img.LayerDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Http.DeleteAsync($"/v2/app/blobs/{img.LayerDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteManifestThenGc_NeverRemovesALayerAnotherRepositoryStillNeeds()
    {
        var shared = OciClient.RandomBytes(20_000);
        var a = await Oci.PushImageAsync("a", "v1", layer: shared);
        var b = await Oci.PushImageAsync("b", "v1", layer: shared);
        a.LayerDigest.ShouldBe(b.LayerDigest);
        Objects().Count(o => o.Digest.ToString() == a.LayerDigest).ShouldBe(1, "the shared layer is stored once");

        (await Http.DeleteAsync($"/v2/a/manifests/{a.ManifestDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Http.DeleteAsync($"/v2/a/blobs/{a.LayerDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Http.DeleteAsync($"/v2/a/blobs/{a.ConfigDigest}", Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var gc = new GarbageCollector(Cas).Run(dryRun: false, grace: TimeSpan.Zero, Ct);

        gc.Swept.ShouldBe(2, "a's manifest and config go; the shared layer stays");
        (await Anonymous.GetByteArrayAsync($"/v2/b/blobs/{b.LayerDigest}", Ct)).ShouldBe(shared);
        (await Anonymous.GetAsync($"/v2/b/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
