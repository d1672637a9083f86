using System.Text;
using System.Text.Json.Nodes;
using Volt.Core.IO;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Push;

/// <summary>What a push sent.</summary>
public sealed record PushResult(string Reference, string ManifestDigest, string LayerDigest, long LayerSize, long BytesUploaded, TimeSpan Elapsed);

/// <summary>
/// Pushes a stored image as an OCI image: one gzip layer rebuilt from the tree (staged in the CAS's tmp/), the
/// stored config with <c>rootfs.diff_ids</c> set to that layer (and <c>history</c> dropped, since it described
/// the original layers), and an OCI manifest. Blobs the registry already has are not uploaded again.
/// </summary>
public sealed class ImagePusher(CasStore cas)
{
    public async Task<PushResult> PushAsync(StoredImage image, RegistryClient client, Images.TransferCounters? counters = null, CancellationToken ct = default)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        counters ??= new Images.TransferCounters();
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
            if (!await client.BlobExistsAsync(layer.Digest.ToString(), ct).ConfigureAwait(false))
            {
                await client.UploadBlobAsync(layer.Digest.ToString(), () => new ProgressReadStream(File.OpenRead(tmp), n => Interlocked.Add(ref counters.BytesDone, n)), layer.Size, ct).ConfigureAwait(false);
                uploaded += layer.Size;
            }
            else counters.BytesDone += layer.Size;
            if (!await client.BlobExistsAsync(configDigest, ct).ConfigureAwait(false))
            {
                await client.UploadBlobAsync(configDigest, () => new MemoryStream(config), config.Length, ct).ConfigureAwait(false);
                uploaded += config.Length;
            }
            await client.PutManifestAsync(client.Reference.Reference, manifest, MediaTypes.OciManifest, ct).ConfigureAwait(false);
            counters.BytesDone = counters.BytesTotal;
            var manifestDigest = ContentHasher.Hash(HashAlgo.Sha256, manifest).ToString();
            return new PushResult(client.Reference.ToString(), manifestDigest, layer.Digest.ToString(), layer.Size, uploaded + manifest.Length, sw.Elapsed);
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
