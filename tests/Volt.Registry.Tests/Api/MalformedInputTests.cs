using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Shouldly;
using Volt.Registry.Storage;
using Xunit;

namespace Volt.Registry.Tests.Api;

/// <summary>Inputs found by fuzzing: every one is a 4xx, and a rejected request creates nothing.</summary>
public sealed class MalformedInputTests : RegistryTestBase
{
    private Task<RawResponse> Raw(string method, string target, byte[]? body = null, params string[] headers) =>
        RawHttp.SendAsync(Server.Address, RawHttp.Request(method, target, PushToken(), body, headers), Ct);

    private List<string> UploadSessions() =>
        Directory.Exists(Server.Store.Uploads.Root) ? [.. Directory.EnumerateFileSystemEntries(Server.Store.Uploads.Root)] : [];

    private List<string> RegistryRefs() =>
        Directory.Exists(Path.Combine(Cas.Refs.Directory, "registry"))
            ? [.. Directory.EnumerateFiles(Path.Combine(Cas.Refs.Directory, "registry"), "*", SearchOption.AllDirectories)] : [];

    [Theory]
    [InlineData("a%0A")]
    [InlineData("a%0D")]
    [InlineData("a%00")]
    [InlineData("team/a%0A")]
    [InlineData("%C3%A9t%C3%A9")]
    public async Task StartUpload_NameWithATrailingControlCharacter_Returns400NameInvalidAndCreatesNoSession(string name)
    {
        var r = await Raw("POST", $"/v2/{name}/blobs/uploads/");
        r.Status.ShouldBe(400, r.Head + r.Body);
        if (r.Body.Length > 0) r.Body.ShouldContain("NAME_INVALID"); // Kestrel itself refuses %00 in a path, with no body
        UploadSessions().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("v1%0A")]
    [InlineData("v1%0D%0A")]
    [InlineData("v1%00")]
    public async Task PutManifest_TagWithATrailingNewline_Returns400ManifestInvalidAndStoresNoManifest(string tag)
    {
        var config = await Oci.PushBlobAsync("g", "{}"u8.ToArray());
        var manifest = OciClient.Manifest(config, 2, []);
        var before = Objects().Count;
        var r = await Raw("PUT", $"/v2/g/manifests/{tag}", manifest, $"Content-Type: {MediaTypes.OciManifest}");
        r.Status.ShouldBe(400, r.Head + r.Body);
        if (r.Body.Length > 0) r.Body.ShouldContain("MANIFEST_INVALID"); // Kestrel itself refuses %00, with no body
        Objects().Count.ShouldBe(before);
        RegistryRefs().ShouldAllBe(f => f.Contains("/_blobs/"));
    }

    [Theory]
    [InlineData("{\"schemaVersion\":1.0,\"config\":CONFIG,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":1.5,\"config\":CONFIG,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2147483648,\"config\":CONFIG,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":1e10,\"config\":CONFIG,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2.0,\"config\":CONFIG,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"annotations\":{\"a\":\"\\ud800\"}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"annotations\":{\"\\udc00x\":\"b\"}}")]
    [InlineData("{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[]}xxx")]
    [InlineData("{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[]}{}")]
    [InlineData("{\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[]} ]")]
    public async Task PutManifest_MalformedJson_Returns400ManifestInvalidAndStoresNothing(string template)
    {
        var config = await Oci.PushBlobAsync("app", "{}"u8.ToArray());
        var body = Encoding.UTF8.GetBytes(template.Replace("CONFIG", $"{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{config}\",\"size\":2}}"));
        await AssertRejectedAsync(body);
    }

    [Theory]
    [InlineData("value")]
    [InlineData("key")]
    public async Task PutManifest_WithInvalidUtf8_Returns400ManifestInvalidAndStoresNothing(string where)
    {
        var config = await Oci.PushBlobAsync("app", "{}"u8.ToArray());
        var text = $"{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{config}\",\"size\":2}},\"layers\":[],\"annotations\":{{\"KEY\":\"VALUE\"}}}}";
        var body = Encoding.UTF8.GetBytes(text);
        var marker = Encoding.UTF8.GetBytes(where == "key" ? "KEY" : "VALUE");
        var at = body.AsSpan().IndexOf(marker);
        body[at] = 0xff; // never valid in UTF-8
        body[at + 1] = 0xc3; // a lead byte without its continuation
        await AssertRejectedAsync(body);
    }

    [Fact]
    public async Task PutManifest_WithInvalidUtf8TopLevelKey_Returns400AndStoresNothing()
    {
        var config = await Oci.PushBlobAsync("app", "{}"u8.ToArray());
        byte[] body = [.. "{\"schemaVersion\":2,\""u8, 0xc3, 0x28, .. Encoding.UTF8.GetBytes($"\":1,\"config\":{{\"mediaType\":\"x\",\"digest\":\"{config}\",\"size\":2}},\"layers\":[]}}")];
        await AssertRejectedAsync(body);
    }

    private async Task AssertRejectedAsync(byte[] body)
    {
        var before = Objects().Count;
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        var r = await Http.PutAsync("/v2/app/manifests/v1", content, Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await r.Content.ReadAsStringAsync(Ct));
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_INVALID");
        Objects().Count.ShouldBe(before);
        RegistryRefs().ShouldAllBe(f => f.Contains("/_blobs/"));
        (await Anonymous.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("?digest=sha256:bad")]
    [InlineData("?digest=sha256:0000")]
    [InlineData("?digest=md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("?mount=sha256:bad&from=other")]
    [InlineData("?mount=sha256:bad")]
    [InlineData("?mount=blake3:0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task StartUpload_WithAMalformedDigest_Returns400AndCreatesNoSession(string query)
    {
        var r = await Http.PostAsync($"/v2/app/blobs/uploads/{query}", new ByteArrayContent([1, 2, 3]), Ct);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("DIGEST_INVALID");
        UploadSessions().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("bad!tag")]
    [InlineData("v1%0A")]
    [InlineData("-leadingdash")]
    [InlineData("sha256:notadigest")]
    public async Task GetOrHeadManifest_WithAMalformedReference_Returns404ManifestUnknown(string reference)
    {
        await Oci.PushImageAsync("app", "v1");
        var get = await Raw("GET", $"/v2/app/manifests/{reference}");
        get.Status.ShouldBe(404, get.Head + get.Body);
        get.Body.ShouldContain("MANIFEST_UNKNOWN");
        (await Raw("HEAD", $"/v2/app/manifests/{reference}")).Status.ShouldBe(404);
        var put = await Raw("PUT", $"/v2/app/manifests/{reference}", "{}"u8.ToArray(), $"Content-Type: {MediaTypes.OciManifest}");
        put.Status.ShouldBe(400);
    }

    [Fact]
    public async Task Token_FormWithTooManyFields_Returns400()
    {
        var form = string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=v"));
        var r = await Raw("POST", "/token", Encoding.ASCII.GetBytes(form), "Content-Type: application/x-www-form-urlencoded");
        r.Status.ShouldBe(400, r.Head + r.Body);
    }

    [Fact]
    public async Task Token_FormValueOverTheLimit_Returns400()
    {
        var form = "grant_type=password&password=" + new string('a', (4 << 20) + 16);
        var r = await Raw("POST", "/token", Encoding.ASCII.GetBytes(form), "Content-Type: application/x-www-form-urlencoded");
        r.Status.ShouldBe(400, r.Head);
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=")]
    [InlineData("multipart/form-data; boundary=LONG")]
    public async Task Token_MultipartWithoutAUsableBoundary_Returns400(string contentType)
    {
        var boundary = new string('b', 200);
        var body = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--{boundary}--\r\n");
        var r = await Raw("POST", "/token", body, $"Content-Type: {contentType.Replace("LONG", boundary)}");
        r.Status.ShouldBe(400, r.Head + r.Body);
    }

    [Theory]
    [InlineData("80000000")]
    [InlineData("ffffffff")]
    [InlineData("10000000000000000")]
    [InlineData("zz")]
    public async Task Patch_WithABadChunkSizeLine_Returns400AndKeepsTheSessionUsable(string sizeLine)
    {
        var start = await Http.PostAsync("/v2/app/blobs/uploads/", null, Ct);
        var location = start.Headers.Location!.ToString();
        var r = await Raw("PATCH", location, Encoding.ASCII.GetBytes($"{sizeLine}\r\nabc\r\n0\r\n\r\n"),
            "Transfer-Encoding: chunked", "Content-Type: application/octet-stream");
        r.Status.ShouldBe(400, r.Head + r.Body);
        var data = new byte[] { 1, 2, 3 };
        var put = await Http.PutAsync(OciClient.WithDigest(start.Headers.Location!, OciClient.Sha256(data)), new ByteArrayContent(data), Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync(Ct));
    }
}
