using System.Text;
using System.Text.Json;
using Volt.Core.IO;

namespace Volt.Core.Audit;

/// <summary>
/// Append-only, hash-chained audit trail. Appends take an exclusive flock on the log, read the last line,
/// and write the new line with a single O_APPEND write, so concurrent <c>volt</c> processes never interleave
/// or lose a line.
/// <code>
/// audit.log        one JSON object per line: {timestamp,user,uid,action,resource,result[,error],seq,prev}
///                  prev = hex SHA-256 of the previous line's bytes (without "\n"); "" for the first line
/// audit.log.head   {"seq":N,"hash":"…"}: seq and hash of the last line, rewritten atomically per append
/// </code>
/// </summary>
public sealed class AuditLog(string path, TimeProvider time)
{
    public string Path { get; } = path;
    public string HeadPath => Path + ".head";

    public AuditEntry Append(string action, string resource, bool success, string? error = null, string? detail = null) =>
        Append(action, resource, success, error, CurrentUser(), Posix.Uid, detail);

    /// <summary>A line for someone else: voltd records the socket peer that asked, not itself.</summary>
    public AuditEntry Append(string action, string resource, bool success, string? error, string user, uint uid, string? detail = null)
    {
        using var pending = Begin(action, resource, success, error, user, uid, detail);
        pending.Commit();
        return pending.Entry;
    }

    /// <summary>
    /// The append in two halves: the line is written (readers see it at once) and the log stays locked; <see
    /// cref="Pending.Commit"/> (or dispose) makes it durable, writes the head and unlocks. voltd sends its answer in
    /// between: the line exists before the caller hears back, and the caller does not wait for the disk's flush.
    /// </summary>
    public Pending Begin(string action, string resource, bool success, string? error, string user, uint uid, string? detail = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var handle = Posix.OpenForLocking(Path);
        try
        {
            Posix.Lock(handle, Posix.LOCK_EX);
            return Write(handle, action, resource, success, error, user, uid, detail);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private Pending Write(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string action, string resource, bool success, string? error, string user, uint uid, string? detail)
    {
        var (lastLine, _) = ReadLastLine(handle);
        long seq = 1;
        var prev = "";
        if (lastLine is not null)
        {
            prev = HashLine(lastLine);
            seq = TryParse(lastLine)?.Seq + 1 ?? 1;
        }
        var entry = new AuditEntry
        {
            Timestamp = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            User = user,
            Uid = uid,
            Action = action,
            Resource = resource,
            Result = success ? "success" : "failure",
            Error = error,
            Detail = detail,
            Seq = seq,
            Prev = prev,
        };
        var line = JsonSerializer.SerializeToUtf8Bytes(entry, AuditJsonContext.Default.AuditEntry);
        var buffer = new byte[line.Length + 1];
        line.CopyTo(buffer, 0);
        buffer[^1] = (byte)'\n';
        RandomAccess.Write(handle, buffer, RandomAccess.GetLength(handle));
        return new Pending(this, handle, entry, new AuditHead(seq, HashLine(line)));
    }

    /// <summary>A line written and not yet durable; the log is locked until <see cref="Commit"/> or dispose.</summary>
    public sealed class Pending(AuditLog log, Microsoft.Win32.SafeHandles.SafeFileHandle handle, AuditEntry entry, AuditHead head) : IDisposable
    {
        public AuditEntry Entry => entry;

        /// <summary>
        /// The line durable (fdatasync: its size and bytes, not its times), then the head written atomically but not
        /// synced: the one sync per append (the head's file + directory fsyncs were two more on every command). A
        /// machine crash can leave the head behind the log, never ahead of it (the line it names was synced first); the
        /// verifier accepts a head that pins an earlier line, and the next append writes it again from the log's last
        /// line. Then the lock goes. Throws what the sync or the head's write threw (the lock goes all the same).
        /// </summary>
        public void Commit()
        {
            if (handle.IsClosed) return;
            try
            {
                Posix.FdatasyncOrThrow(handle);
                AtomicFile.WriteAllBytes(log.HeadPath, JsonSerializer.SerializeToUtf8Bytes(head, AuditJsonContext.Default.AuditHead), durable: false, unwatched: true);
            }
            finally { handle.Dispose(); }
        }

        /// <summary>Commits if <see cref="Commit"/> was not called; a failure then is dropped (the line is written).</summary>
        public void Dispose()
        {
            try { Commit(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public static string HashLine(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(Sha256.HashData(line));

    public static AuditEntry? TryParse(ReadOnlySpan<byte> line)
    {
        try { return JsonSerializer.Deserialize(line, AuditJsonContext.Default.AuditEntry); }
        catch (JsonException) { return null; }
    }

    public AuditHead? ReadHead()
    {
        if (!File.Exists(HeadPath)) return null;
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(HeadPath), AuditJsonContext.Default.AuditHead); }
        catch (JsonException) { return null; }
    }

    private static string CurrentUser()
    {
        var sudo = Environment.GetEnvironmentVariable("SUDO_USER");
        var name = Environment.UserName;
        return string.IsNullOrEmpty(sudo) || sudo == name ? name : $"{sudo} (as {name})";
    }

    /// <summary>Reads the final complete line by scanning backwards from the end.</summary>
    private static (byte[]? Line, long Offset) ReadLastLine(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length == 0) return (null, 0);
        var end = length;
        var tail = new List<byte[]>();
        var chunk = new byte[8192];
        var pos = length;
        var skippedFinalNewline = false;
        while (pos > 0)
        {
            var n = (int)Math.Min(chunk.Length, pos);
            pos -= n;
            RandomAccess.Read(handle, chunk.AsSpan(0, n), pos);
            var span = chunk.AsSpan(0, n);
            if (!skippedFinalNewline)
            {
                if (span[^1] == (byte)'\n') { span = span[..^1]; end--; }
                skippedFinalNewline = true;
            }
            var idx = span.LastIndexOf((byte)'\n');
            if (idx >= 0)
            {
                var start = pos + idx + 1;
                var line = new byte[end - start];
                RandomAccess.Read(handle, line, start);
                return (line, start);
            }
        }
        var whole = new byte[end];
        RandomAccess.Read(handle, whole, 0);
        return (whole, 0);
    }
}
