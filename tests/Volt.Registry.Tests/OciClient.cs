using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Registry.Storage;

namespace Volt.Registry.Tests;

/// <summary>A small OCI client over HttpClient: push blobs and manifests, build test images.</summary>
public sealed class OciClient(HttpClient http)
{
    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
    public static string Sha512(byte[] data) => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(data));

    public static byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        Random.Shared.NextBytes(b);
        return b;
    }

    /// <summary>POST then PUT with the whole body: the commonest client flow.</summary>
    public async Task<string> PushBlobAsync(string repo, byte[] data, string? digest = null)
    {
        digest ??= Sha256(data);
        var start = await http.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        start.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var put = await http.PutAsync(WithDigest(start.Headers.Location!, digest), new ByteArrayContent(data));
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        return digest;
    }

    public static string WithDigest(Uri location, string digest) =>
        location + (location.ToString().Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);

    public async Task<HttpResponseMessage> PutManifestAsync(string repo, string reference, byte[] body, string mediaType = MediaTypes.OciManifest)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await http.PutAsync($"/v2/{repo}/manifests/{reference}", content);
    }

    public static byte[] Manifest(string configDigest, long configSize, IEnumerable<(string Digest, long Size)> layers,
        string mediaType = MediaTypes.OciManifest, string configType = "application/vnd.oci.image.config.v1+json",
        string? artifactType = null, (string Digest, long Size)? subject = null, Dictionary<string, string>? annotations = null)
    {
        var layerType = mediaType == MediaTypes.DockerManifest ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar";
        var doc = new Dictionary<string, object?>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["config"] = new Dictionary<string, object> { ["mediaType"] = configType, ["digest"] = configDigest, ["size"] = configSize },
            ["layers"] = layers.Select(l => new Dictionary<string, object> { ["mediaType"] = layerType, ["digest"] = l.Digest, ["size"] = l.Size }).ToList(),
        };
        if (artifactType is not null) doc["artifactType"] = artifactType;
        if (subject is { } s) doc["subject"] = new Dictionary<string, object> { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = s.Digest, ["size"] = s.Size };
        if (annotations is not null) doc["annotations"] = annotations;
        return Json(doc);
    }

    public static byte[] Index(IEnumerable<(string Digest, long Size)> manifests, string mediaType = MediaTypes.OciIndex) => Json(new Dictionary<string, object>
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = mediaType,
        ["manifests"] = manifests.Select(m => new Dictionary<string, object>
        {
            ["mediaType"] = mediaType == MediaTypes.OciIndex ? MediaTypes.OciManifest : MediaTypes.DockerManifest,
            ["digest"] = m.Digest, ["size"] = m.Size,
            ["platform"] = new Dictionary<string, string> { ["architecture"] = "amd64", ["os"] = "linux" },
        }).ToList(),
    });

    private static byte[] Json(object doc) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(doc, TestJson.Options));

    /// <summary>Pushes a config, one random layer and a manifest tagged <paramref name="tag"/>.</summary>
    public async Task<TestImage> PushImageAsync(string repo, string tag, int layerSize = 1024, string mediaType = MediaTypes.OciManifest, byte[]? layer = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"nonce\":\"{Guid.NewGuid()}\"}}");
        layer ??= RandomBytes(layerSize);
        var configDigest = await PushBlobAsync(repo, config);
        var layerDigest = await PushBlobAsync(repo, layer);
        var configType = mediaType == MediaTypes.DockerManifest ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        var manifest = Manifest(configDigest, config.Length, [(layerDigest, layer.Length)], mediaType, configType);
        var put = await PutManifestAsync(repo, tag, manifest, mediaType);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        return new TestImage(Sha256(manifest), manifest, configDigest, layerDigest, layer);
    }

    /// <summary>The OCI error code of a response body.</summary>
    public static async Task<string> ErrorCode(HttpResponseMessage r)
    {
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}

public sealed record TestImage(string ManifestDigest, byte[] Manifest, string ConfigDigest, string LayerDigest, byte[] Layer);
