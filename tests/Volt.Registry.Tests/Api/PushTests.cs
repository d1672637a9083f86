using System.Net;
using System.Net.Http.Headers;
using Shouldly;
using Volt.Registry.Storage;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class PushTests : RegistryTestBase
{
    [Fact]
    public async Task PushBlob_Monolithic_StoresItAsTheCasObjectNamedByItsDigest()
    {
        var data = OciClient.RandomBytes(50_000);
        var digest = OciClient.Sha256(data);
        var r = await Http.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", new ByteArrayContent(data), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        r.Headers.Location!.ToString().ShouldBe($"/v2/app/blobs/{digest}");
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
        var path = Cas.ObjectPath(Digest.Parse(digest));
        path.ShouldContain($"objects/sha256/{digest[7..9]}/{digest[7..]}");
        (await File.ReadAllBytesAsync(path, Ct)).ShouldBe(data);
        Objects().Count.ShouldBe(1, "no second copy of the bytes anywhere in the CAS");
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
    }

    [Fact]
    public async Task PushBlob_LargeBody_ArrivesInPiecesLargerThanKestrelsDefault4KiBBlocks()
    {
        // Kestrel's own pool receives in 4 KiB blocks (24 000 receives and body-reader wake-ups per 100 MB); the
        // registry's pool hands the transport 128 KiB blocks, so the body reader sees larger pieces.
        var data = OciClient.RandomBytes(8 << 20);
        var digest = OciClient.Sha256(data);
        var r = await Http.PostAsync($"/v2/big/blobs/uploads/?digest={digest}", new ByteArrayContent(data), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        Server.Store.Uploads.LargestBodySegment.ShouldBeGreaterThan(4096, "the body arrived in pieces of Kestrel's 4 KiB blocks");
        Server.Store.Uploads.LargestBodySegment.ShouldBeLessThanOrEqualTo(Volt.Registry.Hosting.LargeBlockMemoryPool.BlockSize);
        (await File.ReadAllBytesAsync(Cas.ObjectPath(Digest.Parse(digest)), Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task PushBlob_PostThenPut_Returns201AndThePullMatches()
    {
        var data = OciClient.RandomBytes(4096);
        var digest = await Oci.PushBlobAsync("ns/app", data);
        (await Anonymous.GetByteArrayAsync($"/v2/ns/app/blobs/{digest}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task PushBlob_Chunked_WithContentRange_ReportsRangeAfterEachChunk()
    {
        var data = OciClient.RandomBytes(30_000);
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var location = start.Headers.Location!;
        start.Headers.GetValues("Docker-Upload-UUID").Single().ShouldNotBeEmpty();
        for (var offset = 0; offset < data.Length; offset += 10_000)
        {
            var r = await Patch(location, data[offset..(offset + 10_000)], offset);
            r.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            r.Headers.GetValues("Range").Single().ShouldBe($"0-{offset + 9_999}");
            location = r.Headers.Location!;
        }
        var status = await Http.GetAsync(location, Ct);
        status.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        status.Headers.GetValues("Range").Single().ShouldBe("0-29999");
        var put = await Http.PutAsync(OciClient.WithDigest(location, OciClient.Sha256(data)), null, Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Anonymous.GetByteArrayAsync($"/v2/app/blobs/{OciClient.Sha256(data)}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task PatchChunk_OutOfOrder_Returns416WithTheCurrentRange()
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        (await Patch(start.Headers.Location!, new byte[100], 0)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var r = await Patch(start.Headers.Location!, new byte[100], 500);
        r.StatusCode.ShouldBe(HttpStatusCode.RequestedRangeNotSatisfiable);
        r.Headers.GetValues("Range").Single().ShouldBe("0-99");
        r.Headers.Location.ShouldNotBeNull();
    }

    [Fact]
    public async Task PatchStreamed_WithoutLength_ThenPutWithFinalChunk_Completes()
    {
        var data = OciClient.RandomBytes(3_000_000);
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var content = new StreamContent(new MemoryStream(data[..2_000_000]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var req = new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = content };
        req.Headers.TransferEncodingChunked = true;
        var patch = await Http.SendAsync(req, Ct);
        patch.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await Http.PutAsync(OciClient.WithDigest(patch.Headers.Location!, OciClient.Sha256(data)), new ByteArrayContent(data[2_000_000..]), Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task DeleteUpload_CancelsIt_AndLaterRequestsGet404BlobUploadUnknown()
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        await Patch(start.Headers.Location!, new byte[1000], 0);
        (await Http.DeleteAsync(start.Headers.Location, Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var r = await Http.GetAsync(start.Headers.Location, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await OciClient.ErrorCode(r)).ShouldBe("BLOB_UPLOAD_UNKNOWN");
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
    }

    [Fact]
    public async Task Mount_FromAnotherRepository_Returns201WithoutUploading()
    {
        var img = await Oci.PushImageAsync("src", "v1");
        var objects = Objects().Count;
        var r = await Http.PostAsync($"/v2/dst/blobs/uploads/?mount={img.LayerDigest}&from=src", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        r.Headers.Location!.ToString().ShouldBe($"/v2/dst/blobs/{img.LayerDigest}");
        (await Anonymous.GetByteArrayAsync($"/v2/dst/blobs/{img.LayerDigest}", Ct)).ShouldBe(img.Layer);
        Objects().Count.ShouldBe(objects);
    }

    [Fact]
    public async Task Mount_WithoutFrom_OfABlobTheStoreHas_Returns201()
    {
        var img = await Oci.PushImageAsync("src", "v1");
        var r = await Http.PostAsync($"/v2/dst/blobs/uploads/?mount={img.LayerDigest}", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Mount_OfAnUnknownBlob_FallsBackToAnUploadSession()
    {
        var r = await Http.PostAsync($"/v2/dst/blobs/uploads/?mount={OciClient.Sha256([1, 2, 3])}&from=src", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        r.Headers.Location!.ToString().ShouldStartWith("/v2/dst/blobs/uploads/");
    }

    [Fact]
    public async Task PushBlob_Sha512_IsStoredUnderSha512AndServed()
    {
        var data = OciClient.RandomBytes(70_000);
        var digest = OciClient.Sha512(data);
        await Oci.PushBlobAsync("app", data, digest);
        Cas.Exists(Digest.Parse(digest)).ShouldBeTrue();
        Cas.ObjectPath(Digest.Parse(digest)).ShouldContain("/objects/sha512/");
        (await Anonymous.GetByteArrayAsync($"/v2/app/blobs/{digest}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task PutManifest_BySha512Digest_IsAddressableByThatDigest()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var manifest = img.Manifest;
        var digest = OciClient.Sha512(manifest);
        (await Oci.PutManifestAsync("app", digest, manifest)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var r = await Anonymous.GetAsync($"/v2/app/manifests/{digest}", Ct);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
    }

    [Fact]
    public async Task PutManifest_ByDigestWithTagQuery_AlsoTagsIt()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var r = await Oci.PutManifestAsync("app", $"{img.ManifestDigest}?tag=a&tag=b", img.Manifest);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(img.ManifestDigest);
        (await Anonymous.GetStringAsync("/v2/app/tags/list", Ct)).ShouldBe("{\"name\":\"app\",\"tags\":[\"a\",\"b\",\"v1\"]}");
    }

    [Fact]
    public async Task PutManifest_WithSubjectThatDoesNotExistYet_IsAcceptedWithOciSubjectHeader()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var missingSubject = OciClient.Sha256("not pushed yet"u8.ToArray());
        var manifest = OciClient.Manifest(img.ConfigDigest, 0, [], artifactType: "application/vnd.example.sbom", subject: (missingSubject, 123));
        var r = await Oci.PutManifestAsync("app", OciClient.Sha256(manifest), manifest);
        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        r.Headers.GetValues("OCI-Subject").Single().ShouldBe(missingSubject);
    }

    private Task<HttpResponseMessage> Patch(Uri location, byte[] chunk, long offset)
    {
        var content = new ByteArrayContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var req = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk.Length - 1}").ShouldBeTrue();
        return Http.SendAsync(req, Ct);
    }
}
