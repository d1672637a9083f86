using System.Text;
using System.Text.Json.Nodes;
using Volt.Core.IO;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Push;

/// <summary>
/// What a push sent. <see cref="Original"/>: the image's kept manifest was re-sent byte-for-byte (its digest is the
/// one it was pulled with); otherwise one layer was rebuilt from the tree. <see cref="BlobsUploaded"/> counts blob
/// uploads (the registry already had every other blob).
/// </summary>
public sealed record PushResult(string Reference, string ManifestDigest, string LayerDigest, long LayerSize, long BytesUploaded, TimeSpan Elapsed)
{
    public IReadOnlyList<string> Layers { get; init; } = [LayerDigest];
    public int BlobsUploaded { get; init; }
    public bool Original { get; init; }
}

/// <summary>
/// Pushes a stored image. An image pulled (or imported from an OCI layout) whose manifest, config and layer blobs
/// are kept in the CAS is pushed as it came: the same blobs and the same manifest bytes, so its digest (what
/// signatures and referrers name) does not change. Any other image is pushed as an OCI image of one gzip layer
/// rebuilt from the tree — deterministically (see <see cref="LayerWriter"/>), so pushing it again yields the same
/// digests — the stored config with <c>rootfs.diff_ids</c> set to that layer (and <c>history</c> dropped, since it
/// described the original layers), and an OCI manifest. Blobs the registry already has are never uploaded again.
/// </summary>
public sealed class ImagePusher(CasStore cas)
{
    public async Task<PushResult> PushAsync(StoredImage image, RegistryClient client, Images.TransferCounters? counters = null, CancellationToken ct = default)
    {
        counters ??= new Images.TransferCounters();
        if (await TryPushOriginalAsync(image, client, counters, ct).ConfigureAwait(false) is { } original) return original;
        return await PushRebuiltAsync(image, client, counters, ct).ConfigureAwait(false);
    }

    /// <summary>Re-sends the kept manifest and its blobs; null when the image has none or a blob is neither here nor there.</summary>
    private async Task<PushResult?> TryPushOriginalAsync(StoredImage image, RegistryClient client, Images.TransferCounters counters, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        if (image.Record.Manifest is not { } m || !Digest.TryParse(m, out var md) || !cas.Exists(md.Value)) return null;
        var body = cas.ReadAllBytes(md.Value);
        var doc = ManifestDocument.Parse(body, $"the kept manifest {m} of {image.Name}");
        if (doc.IsIndex) return null;
        var blobs = new List<Descriptor> { doc.Config! };
        blobs.AddRange(doc.Layers!);
        var missing = new List<(Descriptor Blob, Digest Digest)>();
        foreach (var b in blobs.DistinctBy(b => b.Digest))
        {
            if (await client.BlobExistsAsync(b.Digest, ct).ConfigureAwait(false)) continue;
            if (!Digest.TryParse(b.Digest, out var d) || !cas.Exists(d.Value)) return null;
            missing.Add((b, d.Value));
        }
        counters.BytesTotal = missing.Sum(x => x.Blob.Size) + body.Length;
        counters.BytesDone = 0;
        long uploaded = 0;
        foreach (var (blob, digest) in missing)
        {
            await client.UploadBlobAsync(blob.Digest, () => new ProgressReadStream(cas.OpenRead(digest), n => Interlocked.Add(ref counters.BytesDone, n)), blob.Size, ct)
                .ConfigureAwait(false);
            uploaded += blob.Size;
        }
        await client.PutManifestAsync(client.Reference.Reference, body, image.Record.ManifestMediaType ?? doc.MediaType ?? MediaTypes.OciManifest, ct).ConfigureAwait(false);
        counters.BytesDone = counters.BytesTotal;
        var top = doc.Layers!.Count > 0 ? doc.Layers[^1] : doc.Config!;
        return new PushResult(client.Reference.ToString(), m, top.Digest, doc.Layers.Sum(l => l.Size), uploaded + body.Length, sw.Elapsed)
        {
            Layers = [.. doc.Layers.Select(l => l.Digest)], BlobsUploaded = missing.Count, Original = true,
        };
    }

    private async Task<PushResult> PushRebuiltAsync(StoredImage image, RegistryClient client, Images.TransferCounters counters, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var tree = TreeManifest.Load(cas, image.Record.TreeDigest);
        cas.EnsureCreated();
        var tmp = cas.NewTempPath();
        try
        {
            counters.BytesTotal = tree.Size;
            var layer = await Task.Run(() => LayerWriter.Write(cas, tree, tmp, ct), ct).ConfigureAwait(false);
            var config = Config(cas.ReadAllBytes(image.Record.ConfigDigest), layer.DiffId);
            var configDigest = ContentHasher.Hash(HashAlgo.Sha256, config).ToString();
            var manifest = new ManifestDocument
            {
                SchemaVersion = 2, MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest, Size = config.Length },
                Layers = [new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = layer.Digest.ToString(), Size = layer.Size }],
            }.Serialize();
            counters.BytesTotal = layer.Size + config.Length + manifest.Length;
            counters.BytesDone = 0;
            long uploaded = 0;
            var blobs = 0;
            if (!await client.BlobExistsAsync(layer.Digest.ToString(), ct).ConfigureAwait(false))
            {
                await client.UploadBlobAsync(layer.Digest.ToString(), () => new ProgressReadStream(File.OpenRead(tmp), n => Interlocked.Add(ref counters.BytesDone, n)), layer.Size, ct).ConfigureAwait(false);
                uploaded += layer.Size;
                blobs++;
            }
            else counters.BytesDone += layer.Size;
            if (!await client.BlobExistsAsync(configDigest, ct).ConfigureAwait(false))
            {
                await client.UploadBlobAsync(configDigest, () => new MemoryStream(config), config.Length, ct).ConfigureAwait(false);
                uploaded += config.Length;
                blobs++;
            }
            await client.PutManifestAsync(client.Reference.Reference, manifest, MediaTypes.OciManifest, ct).ConfigureAwait(false);
            counters.BytesDone = counters.BytesTotal;
            var manifestDigest = ContentHasher.Hash(HashAlgo.Sha256, manifest).ToString();
            return new PushResult(client.Reference.ToString(), manifestDigest, layer.Digest.ToString(), layer.Size, uploaded + manifest.Length, sw.Elapsed)
            {
                BlobsUploaded = blobs,
            };
        }
        finally
        {
            AtomicFile.TryDelete(tmp);
        }
    }

    private static byte[] Config(byte[] stored, Digest diffId)
    {
        var node = JsonNode.Parse(stored) as JsonObject ?? new JsonObject();
        node["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId.ToString()) };
        node.Remove("history");
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>Counts bytes as the HTTP client reads the upload body.</summary>
    private sealed class ProgressReadStream(Stream inner, Action<long> progress) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) { var n = inner.Read(buffer, offset, count); progress(n); return n; }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) { var n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false); progress(n); return n; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
