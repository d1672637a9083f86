using System.Net;
using Shouldly;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Api;

/// <summary>A monolithic upload of a blob the store already holds is hashed as it arrives and never written.</summary>
public sealed class KnownBlobUploadTests : RegistryTestBase
{
    [Fact]
    public async Task MonolithicPost_OfAStoredBlob_LinksItWithoutStagingAndServesIt()
    {
        var data = OciClient.RandomBytes(300_000);
        var digest = await Oci.PushBlobAsync("first", data);
        var inode = Inode(Cas.ObjectPath(Digest.Parse(digest)));
        var linked = new List<Digest>();
        Server.Store.Uploads.OnLinkedKnown = linked.Add;

        var r = await Http.PostAsync($"/v2/second/blobs/uploads/?digest={digest}", new ByteArrayContent(data), Ct);

        r.StatusCode.ShouldBe(HttpStatusCode.Created);
        r.Headers.GetValues("Docker-Content-Digest").Single().ShouldBe(digest);
        linked.ShouldBe([Digest.Parse(digest)], "the stored blob was linked, not uploaded again");
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
        Inode(Cas.ObjectPath(Digest.Parse(digest))).ShouldBe(inode);
        (await Anonymous.GetByteArrayAsync($"/v2/second/blobs/{digest}", Ct)).ShouldBe(data);
        Objects().Count.ShouldBe(1);
    }

    [Fact]
    public async Task MonolithicPost_OfAStoredDigestWithOtherBytes_IsDigestInvalidAndLinksNothing()
    {
        var data = OciClient.RandomBytes(100_000);
        var digest = await Oci.PushBlobAsync("first", data);
        var other = OciClient.RandomBytes(100_000);

        var r = await Http.PostAsync($"/v2/second/blobs/uploads/?digest={digest}", new ByteArrayContent(other), Ct);

        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await r.Content.ReadAsStringAsync(Ct)).ShouldContain("DIGEST_INVALID");
        (await Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/second/blobs/{digest}"), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await File.ReadAllBytesAsync(Cas.ObjectPath(Digest.Parse(digest)), Ct)).ShouldBe(data, "the stored object is untouched");
    }

    [Fact]
    public async Task PostThenOnePutWithTheWholeStoredBlob_LinksItWithoutStaging()
    {
        var data = OciClient.RandomBytes(200_000);
        var digest = await Oci.PushBlobAsync("first", data);
        var linked = new List<Digest>();
        Server.Store.Uploads.OnLinkedKnown = linked.Add;

        var start = await Http.PostAsync("/v2/second/blobs/uploads/", null, Ct);
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await Http.PutAsync(OciClient.WithDigest(start.Headers.Location!, digest), new ByteArrayContent(data), Ct);

        put.StatusCode.ShouldBe(HttpStatusCode.Created);
        linked.ShouldBe([Digest.Parse(digest)]);
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty("the session is closed");
        (await Anonymous.GetByteArrayAsync($"/v2/second/blobs/{digest}", Ct)).ShouldBe(data);
    }

    [Fact]
    public async Task ChunkedUpload_OfAStoredBlob_CompletesWithoutReplacingTheObject()
    {
        var data = OciClient.RandomBytes(150_000);
        var digest = await Oci.PushBlobAsync("first", data);
        var inode = Inode(Cas.ObjectPath(Digest.Parse(digest)));

        var start = await Http.PostAsync("/v2/second/blobs/uploads/", null, Ct);
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var patch = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = content }, Ct);
        patch.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await Http.PutAsync(OciClient.WithDigest(patch.Headers.Location!, digest), null, Ct);

        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync(Ct));
        Inode(Cas.ObjectPath(Digest.Parse(digest))).ShouldBe(inode);
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty("the received copy is dropped");
        (await Anonymous.GetByteArrayAsync($"/v2/second/blobs/{digest}", Ct)).ShouldBe(data);
    }

    private static ulong Inode(string path) => Volt.Core.IO.FileStat.Stat(path).Inode;
}
