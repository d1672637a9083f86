using Microsoft.AspNetCore.Http;
using Volt.Registry.Errors;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: GET and HEAD (with single-range requests), DELETE.</summary>
public sealed class BlobEndpoints(RegistryStore store)
{
    public Task HandleAsync(RequestScope s) => s.Request.Method switch
    {
        "GET" or "HEAD" => GetAsync(s),
        "DELETE" => Delete(s),
        _ => throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on blobs"),
    };

    private async Task GetAsync(RequestScope s)
    {
        var d = RegistryStore.ParseDigest(s.Route.Argument);
        if (!store.CanServeBlob(s.Name, d) || !store.Cas.TryGetSize(d, out var size))
            throw OciErrors.BlobUnknown.With($"blob {d} not found in repository \"{s.Name}\"");
        var h = s.Response.Headers;
        h["Docker-Content-Digest"] = d.ToString();
        h.ETag = $"\"{d}\"";
        h.AcceptRanges = "bytes";
        s.Response.ContentType = MediaTypes.OctetStream;
        long offset = 0, count = size;
        var status = 200;
        if (ByteRange.TryParse(s.Request.Headers.Range.ToString(), size, out var range, out var satisfiable))
        {
            if (!satisfiable)
            {
                h.ContentRange = $"bytes */{size}";
                throw OciErrors.RangeInvalid.With($"range \"{s.Request.Headers.Range}\" is outside the blob's {size} bytes");
            }
            (offset, count, status) = (range.Start, range.Length, 206);
            h.ContentRange = $"bytes {range.Start}-{range.Start + range.Length - 1}/{size}";
        }
        s.Response.StatusCode = status;
        s.Response.ContentLength = count;
        if (HttpMethods.IsHead(s.Request.Method) || count == 0) return;
        try
        {
            await SendAsync(s, store.Cas.ObjectPath(d), offset, count).ConfigureAwait(false);
        }
        catch (FileNotFoundException) when (!s.Response.HasStarted)
        {
            throw OciErrors.BlobUnknown.With($"blob {d} was removed while being read");
        }
    }

    /// <summary>
    /// Streams a file range into the response in 1 MiB pieces, each read straight into the memory of Kestrel's
    /// output pipe (no staging buffer: every byte is copied once, page cache to pipe, where a read into a buffer and
    /// a WriteAsync copied it twice). The read is synchronous: RandomAccess.ReadAsync on a handle opened without
    /// FileOptions.Asynchronous runs each read on another thread-pool thread. With the 2 MiB write buffer
    /// (RegistryServer) the next piece is read while the last one is being sent.
    /// </summary>
    private static async Task SendAsync(RequestScope s, string path, long offset, long count)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        var writer = s.Response.BodyWriter;
        await s.Response.StartAsync(s.Aborted).ConfigureAwait(false);
        while (count > 0)
        {
            var memory = writer.GetMemory(ChunkSize);
            var want = (int)Math.Min(Math.Min(memory.Length, ChunkSize), count);
            var n = RandomAccess.Read(file, memory.Span[..want], offset);
            if (n == 0) throw new IOException($"\"{path}\" ended {count} bytes early");
            writer.Advance(n);
            offset += n;
            count -= n;
            s.BytesOut += n;
            var flush = await writer.FlushAsync(s.Aborted).ConfigureAwait(false);
            if (flush.IsCanceled || flush.IsCompleted) return;
        }
    }

    private const int ChunkSize = 1 << 20;

    private Task Delete(RequestScope s)
    {
        var d = RegistryStore.ParseDigest(s.Route.Argument);
        if (!store.DeleteBlob(s.Name, d)) throw OciErrors.BlobUnknown.With($"blob {d} not found in repository \"{s.Name}\"");
        s.Empty(202);
        return Task.CompletedTask;
    }
}

/// <summary>One <c>Range: bytes=…</c> request (multiple ranges are not supported; such requests get the whole blob).</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>False when there is no usable single range; <paramref name="satisfiable"/> false means 416.</summary>
    public static bool TryParse(string header, long size, out ByteRange range, out bool satisfiable)
    {
        range = default;
        satisfiable = true;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return false;
        var spec = header.AsSpan(6).Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0) return false;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        long start, end;
        if (first.IsEmpty)
        {
            if (!long.TryParse(last, out var suffix) || suffix <= 0) return false;
            start = Math.Max(0, size - suffix);
            end = size - 1;
        }
        else
        {
            if (!long.TryParse(first, out start)) return false;
            end = last.IsEmpty ? size - 1 : long.TryParse(last, out var e) ? Math.Min(e, size - 1) : -2;
            if (end == -2 || (last.Length > 0 && long.Parse(last) < start)) return false;
        }
        if (start >= size || size == 0) { satisfiable = false; return true; }
        range = new ByteRange(start, end - start + 1);
        return true;
    }
}
