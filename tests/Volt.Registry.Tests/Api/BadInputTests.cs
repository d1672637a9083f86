using System.Net;
using System.Net.Sockets;
using System.Text;
using Shouldly;
using Xunit;

namespace Volt.Registry.Tests.Api;

public sealed class BadInputTests : RegistryTestBase
{
    [Fact]
    public async Task PushBlob_WithWrongDigest_Returns400DigestInvalidAndStoresNothing()
    {
        var data = OciClient.RandomBytes(10_000);
        var wrong = OciClient.Sha256([1, 2, 3]);
        var r = await Http.PostAsync($"/v2/app/blobs/uploads/?digest={wrong}", new ByteArrayContent(data), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("DIGEST_INVALID");
        Objects().ShouldBeEmpty();
        Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root).ShouldBeEmpty();
        (await Anonymous.GetAsync($"/v2/app/blobs/{wrong}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CompleteUpload_WithWrongDigest_Returns400DigestInvalidAndStoresNothing()
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var r = await Http.PutAsync(OciClient.WithDigest(start.Headers.Location!, OciClient.Sha256([7])), new ByteArrayContent([1, 2, 3]), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("DIGEST_INVALID");
        Objects().ShouldBeEmpty();
    }

    [Fact]
    public async Task PushBlob_WithMalformedDigest_Returns400DigestInvalid()
    {
        var r = await Http.PostAsync("/v2/app/blobs/uploads/?digest=sha256:xyz", new ByteArrayContent([1]), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("DIGEST_INVALID");
    }

    [Fact]
    public async Task PutManifest_NamingAnUnknownBlob_Returns400ManifestBlobUnknown()
    {
        var config = await Oci.PushBlobAsync("app", "{}"u8.ToArray());
        var manifest = OciClient.Manifest(config, 2, [(OciClient.Sha256([4, 5, 6]), 3)]);
        var r = await Oci.PutManifestAsync("app", "v1", manifest);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
        (await Anonymous.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutManifest_ThatIsNotJson_Returns400ManifestInvalid()
    {
        var r = await Oci.PutManifestAsync("app", "v1", "not json"u8.ToArray());
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_INVALID");
    }

    [Fact]
    public async Task PutManifest_ByDigestThatDoesNotMatchTheBody_Returns400DigestInvalid()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        var r = await Oci.PutManifestAsync("app", OciClient.Sha256([1]), img.Manifest);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("DIGEST_INVALID");
    }

    [Fact]
    public async Task PutManifest_Over4MiB_Returns413AndStoresNothing()
    {
        var config = await Oci.PushBlobAsync("app", "{}"u8.ToArray());
        var padding = new string('x', 4 << 20);
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{config}\",\"size\":2}},\"layers\":[],\"annotations\":{{\"pad\":\"{padding}\"}}}}");
        var r = await Oci.PutManifestAsync("app", "big", manifest);
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_INVALID");
        Objects().Count.ShouldBe(1, "only the config blob");
    }

    [Fact]
    public async Task RepositoryName_WithDotDot_Returns400NameInvalid()
    {
        var r = await Anonymous.GetAsync("/v2/a..b/tags/list", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("NAME_INVALID");
    }

    [Fact]
    public async Task RepositoryName_WithUppercase_Returns400NameInvalid()
    {
        var r = await Http.PostAsync("/v2/MyApp/blobs/uploads/", null, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("NAME_INVALID");
    }

    [Fact]
    public async Task RepositoryName_OverTheLengthLimit_Returns400NameInvalid()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 63), 5)); // 319 characters
        var r = await Anonymous.GetAsync($"/v2/{name}/tags/list", Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("NAME_INVALID");
    }

    [Theory]
    [InlineData("/v2/../../../../etc/blobs/uploads/")]
    [InlineData("/v2/%2e%2e/%2e%2e/%2e%2e/etc/blobs/uploads/")]
    [InlineData("/v2/a/%2F..%2F..%2Fx/blobs/uploads/")]
    public async Task RawTraversalPaths_NeverReachOutsideTheStore(string path)
    {
        var before = Directory.EnumerateFileSystemEntries(Paths.Cas, "*", SearchOption.AllDirectories).ToList();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Server.Address.Port, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {PushToken()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Ct);
        var response = await new StreamReader(stream).ReadToEndAsync(Ct);
        response.ShouldNotStartWith("HTTP/1.1 2");
        response.ShouldMatch("^HTTP/1.1 (400|404) ");
        Directory.EnumerateFileSystemEntries(Paths.Cas, "*", SearchOption.AllDirectories).ShouldBe(before);
        File.Exists("/etc/blobs").ShouldBeFalse();
    }
}
