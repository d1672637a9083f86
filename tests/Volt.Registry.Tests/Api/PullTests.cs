using System.Net;
using System.Net.Http.Headers;
using Shouldly;
using Volt.Registry.Storage;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class PullTests : RegistryTestBase
{
    [Theory]
    [InlineData(MediaTypes.OciManifest)]
    [InlineData(MediaTypes.DockerManifest)]
    public async Task GetManifest_ByTagAndDigest_ReturnsStoredBytesWithMediaTypeAndDigestHeader(string mediaType)
    {
        var img = await Oci.PushImageAsync("app", "v1", mediaType: mediaType);
        foreach (var reference in new[] { "v1", img.ManifestDigest })
        {
            var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/manifests/{reference}");
            req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            var r = await Anonymous.SendAsync(req, Ct);
            r.StatusCode.ShouldBe(HttpStatusCode.OK);
            r.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
            r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(img.ManifestDigest);
            (await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(img.Manifest);
        }
    }

    [Theory]
    [InlineData(MediaTypes.OciIndex)]
    [InlineData(MediaTypes.DockerManifestList)]
    public async Task GetManifest_OfAnIndex_ReturnsIndexMediaType(string indexType)
    {
        var childType = indexType == MediaTypes.OciIndex ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        var img = await Oci.PushImageAsync("multi", "amd64", mediaType: childType);
        var index = OciClient.Index([(img.ManifestDigest, img.Manifest.Length)], indexType);
        (await Oci.PutManifestAsync("multi", "latest", index, indexType)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var r = await Anonymous.GetAsync("/v2/multi/manifests/latest", Ct);
        r.Content.Headers.ContentType!.MediaType.ShouldBe(indexType);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(OciClient.Sha256(index));
    }

    [Fact]
    public async Task HeadManifest_ReturnsLengthAndDigestWithoutBody()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var r = await Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/app/manifests/v1"), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Content.Headers.ContentLength.ShouldBe(img.Manifest.Length);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(img.ManifestDigest);
        (await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task GetManifest_UnknownTag_Returns404ManifestUnknown()
    {
        await Oci.PushImageAsync("app", "v1");
        var r = await Anonymous.GetAsync("/v2/app/manifests/nope", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task GetBlob_ReturnsContentLengthAndDigest_HeadHasNoBody()
    {
        var img = await Oci.PushImageAsync("app", "v1", layerSize: 300_000);
        var r = await Anonymous.GetAsync($"/v2/app/blobs/{img.LayerDigest}", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(img.LayerDigest);
        (await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(img.Layer);
        var head = await Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{img.LayerDigest}"), Ct);
        head.Content.Headers.ContentLength.ShouldBe(300_000);
    }

    [Fact]
    public async Task GetBlob_WithRange_Returns206AndThatSlice()
    {
        var img = await Oci.PushImageAsync("app", "v1", layerSize: 10_000);
        var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{img.LayerDigest}");
        req.Headers.Range = new RangeHeaderValue(100, 199);
        var r = await Anonymous.SendAsync(req, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        r.Content.Headers.ContentRange!.ToString().ShouldBe("bytes 100-199/10000");
        (await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(img.Layer[100..200]);
    }

    [Fact]
    public async Task GetBlob_LargerThanOneReadPiece_WholeAndARangeAcrossPieces_AreTheStoredBytes()
    {
        // The blob is sent in 1 MiB pieces read straight into the response pipe: the last piece is short, and a
        // range starts and ends inside pieces.
        var img = await Oci.PushImageAsync("app", "v1", layerSize: (3 << 20) + 12_345);
        (await Anonymous.GetByteArrayAsync($"/v2/app/blobs/{img.LayerDigest}", Ct)).ShouldBe(img.Layer);
        var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{img.LayerDigest}");
        req.Headers.Range = new RangeHeaderValue(1_000_000, 2_200_000);
        var r = await Anonymous.SendAsync(req, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.PartialContent);
        (await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(img.Layer[1_000_000..2_200_001]);
    }

    [Fact]
    public async Task GetBlob_WithRangePastTheEnd_Returns416()
    {
        var img = await Oci.PushImageAsync("app", "v1", layerSize: 100);
        var req = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{img.LayerDigest}");
        req.Headers.Range = new RangeHeaderValue(500, 600);
        (await Anonymous.SendAsync(req, Ct)).StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
    }

    [Fact]
    public async Task GetBlob_NotLinkedInThisRepository_Returns404BlobUnknown()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        await Oci.PushImageAsync("other", "v1");
        var r = await Anonymous.GetAsync($"/v2/other/blobs/{img.LayerDigest}", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("BLOB_UNKNOWN");
    }
}
