using System.Net;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Registry.Storage;
using Xunit;

namespace Volt.Registry.Tests.Api;

/// <summary>
/// What <c>oras push</c>/<c>attach</c>/<c>discover</c>/<c>pull</c> do on the wire (oras itself is packaged by neither
/// Debian nor npm here): an artifact of several files with their own media types and the empty config, a referrer
/// attached to it, discovery by artifact type, and pulling every file back.
/// </summary>
public sealed class ArtifactTests : RegistryTestBase
{
    private const string EmptyConfig = "application/vnd.oci.empty.v1+json";

    [Fact]
    public async Task ArtifactWithSeveralFiles_PushAttachDiscoverPull_RoundTrips()
    {
        var empty = "{}"u8.ToArray();
        var emptyDigest = await Oci.PushBlobAsync("art", empty);
        var files = new[] { ("report.json", "application/json", Encoding.UTF8.GetBytes("{\"ok\":true}")), ("app.tar.gz", "application/gzip", OciClient.RandomBytes(5000)) };
        var layers = new List<object>();
        foreach (var (name, type, data) in files)
            layers.Add(new { mediaType = type, digest = await Oci.PushBlobAsync("art", data), size = data.Length, annotations = new Dictionary<string, string> { ["org.opencontainers.image.title"] = name } });
        var manifest = Json(new { schemaVersion = 2, mediaType = MediaTypes.OciManifest, artifactType = "application/vnd.example.bundle",
            config = new { mediaType = EmptyConfig, digest = emptyDigest, size = 2 }, layers });
        (await Oci.PutManifestAsync("art", "v1", manifest)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var sbom = Encoding.UTF8.GetBytes("{\"sbom\":1}");
        var sbomDigest = await Oci.PushBlobAsync("art", sbom);
        var attached = Json(new { schemaVersion = 2, mediaType = MediaTypes.OciManifest, artifactType = "application/spdx+json",
            config = new { mediaType = EmptyConfig, digest = emptyDigest, size = 2 },
            layers = new[] { new { mediaType = "application/spdx+json", digest = sbomDigest, size = sbom.Length } },
            subject = new { mediaType = MediaTypes.OciManifest, digest = OciClient.Sha256(manifest), size = manifest.Length } });
        var attach = await Oci.PutManifestAsync("art", OciClient.Sha256(attached), attached);
        attach.Headers.GetValues("OCI-Subject").Single().ShouldBe(OciClient.Sha256(manifest));

        var discover = await Anonymous.GetStringAsync($"/v2/art/referrers/{OciClient.Sha256(manifest)}?artifactType=application/spdx%2Bjson", Ct);
        using (var doc = JsonDocument.Parse(discover))
            doc.RootElement.GetProperty("manifests").EnumerateArray().Single().GetProperty("digest").GetString().ShouldBe(OciClient.Sha256(attached));

        using var pulled = JsonDocument.Parse(await Anonymous.GetByteArrayAsync("/v2/art/manifests/v1", Ct));
        var i = 0;
        foreach (var layer in pulled.RootElement.GetProperty("layers").EnumerateArray())
            (await Anonymous.GetByteArrayAsync($"/v2/art/blobs/{layer.GetProperty("digest").GetString()}", Ct)).ShouldBe(files[i++].Item3);
    }

    [Fact]
    public async Task PutIndex_NamingAnUnknownChildManifest_Returns400ManifestBlobUnknown()
    {
        var index = OciClient.Index([(OciClient.Sha256([1, 2]), 100)]);
        var r = await Oci.PutManifestAsync("app", "latest", index, MediaTypes.OciIndex);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await OciClient.ErrorCode(r)).ShouldBe("MANIFEST_BLOB_UNKNOWN");
    }

    private static byte[] Json(object o) => JsonSerializer.SerializeToUtf8Bytes(o, TestJson.Options);
}
