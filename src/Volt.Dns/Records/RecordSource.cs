using Microsoft.Extensions.Logging;
using Volt.Network.State;

namespace Volt.Dns.Records;

/// <summary>
/// The live <see cref="DnsRecords"/>: read from <see cref="NetworkStore"/> (network records and
/// <see cref="NetworkStore.Attachments"/>, nothing else of the network engine) and rebuilt the moment a file in
/// <c>networks/</c> or <c>networks/attachments/</c> is created, replaced (the engine writes by atomic rename),
/// changed or deleted: inotify through <see cref="FileSystemWatcher"/>, no polling. Events arriving during a rebuild
/// coalesce into one more rebuild. A store that fails to read (a corrupt file) keeps the previous snapshot.
/// </summary>
public sealed partial class RecordSource : IDisposable
{
    private readonly NetworkStore _store;
    private readonly ILogger _log;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _worker;
    private volatile DnsRecords _current = DnsRecords.Empty;
    private long _version;

    private readonly string? _meshFile;

    /// <param name="meshFile">The mesh's remote workloads (<see cref="MeshRecordsFile"/>), watched too; null = none.</param>
    public RecordSource(NetworkStore store, ILogger logger, string? meshFile = null)
    {
        _store = store;
        _log = logger;
        _meshFile = meshFile;
    }

    /// <summary>The snapshot in force.</summary>
    public DnsRecords Current => _current;

    /// <summary>How many snapshots have been published (the first read is 1).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Raised after each new snapshot is in force (on the rebuild thread).</summary>
    public event Action<DnsRecords>? Changed;

    /// <summary>Reads the store once and starts watching it.</summary>
    public void Start()
    {
        Directory.CreateDirectory(_store.AttachmentsDir);
        foreach (var dir in new[] { _store.Dir, _store.AttachmentsDir })
        {
            var w = new FileSystemWatcher(dir, "*.json") { IncludeSubdirectories = false, InternalBufferSize = 64 * 1024 };
            w.NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size;
            w.Created += (_, _) => Poke();
            w.Changed += (_, _) => Poke();
            w.Deleted += (_, _) => Poke();
            w.Renamed += (_, _) => Poke();
            w.Error += (_, e) => { LogWatchError(e.GetException().Message); Poke(); };
            w.EnableRaisingEvents = true;
            _watchers.Add(w);
        }
        if (_meshFile is not null) WatchMesh(_meshFile);
        Rebuild();
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Asks for a rebuild (what every watcher event does).</summary>
    public void Poke()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await _signal.WaitAsync(_stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            Rebuild();
        }
    }

    /// <summary>Reads the store into a new snapshot now; false (and the old snapshot kept) when it fails to read.</summary>
    public bool Rebuild()
    {
        DnsRecords next;
        try
        {
            // One consistent snapshot, never a torn one: the files are read one after another, and a start-first
            // update renames the new instance's record (its service name added) and then the old one's (removed) in
            // quick succession — a read that saw the first before and the second after its write published a moment
            // with neither (a client got "bad address"). Each write is an atomic rename, which gives the file a new
            // inode: when the names and inodes differ after the read, it is read again.
            for (var attempt = 0; ; attempt++)
            {
                var before = Fingerprint();
                next = DnsRecords.Build(_store.List(), _store.Attachments(), MeshRecordsFile.Read(_meshFile));
                if (attempt == 9 || Fingerprint() == before) break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Core.Errors.VoltException)
        {
            LogReadFailed(e.Message);
            return false;
        }
        _current = next;
        Interlocked.Increment(ref _version);
        LogRecords(next.Entries.Count, next.Networks.Count);
        Changed?.Invoke(next);
        return true;
    }

    /// <summary>The record files' names and inodes (an atomic rename replaces the inode).</summary>
    private string Fingerprint()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var dir in new[] { _store.Dir, _store.AttachmentsDir })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var f in Directory.EnumerateFiles(dir, "*.json"))
                if (Core.IO.FileStat.TryLStat(f, out var st)) sb.Append(f).Append(' ').Append(st.Inode).Append('\n');
        }
        return sb.ToString();
    }

    private void WatchMesh(string file)
    {
        var dir = Path.GetDirectoryName(file)!;
        Directory.CreateDirectory(dir);
        var w = new FileSystemWatcher(dir, Path.GetFileName(file)) { IncludeSubdirectories = false };
        w.NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size;
        w.Created += (_, _) => Poke();
        w.Changed += (_, _) => Poke();
        w.Deleted += (_, _) => Poke();
        w.Renamed += (_, _) => Poke();
        w.Error += (_, e) => { LogWatchError(e.GetException().Message); Poke(); };
        w.EnableRaisingEvents = true;
        _watchers.Add(w);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var w in _watchers) w.Dispose();
        try { _worker?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 13001, Level = LogLevel.Debug, Message = "DNS records: {Entries} names on {Networks} networks")]
    private partial void LogRecords(int entries, int networks);

    [LoggerMessage(EventId = 13002, Level = LogLevel.Warning, Message = "Failed reading network records, keeping the previous ones: {Error}")]
    private partial void LogReadFailed(string error);

    [LoggerMessage(EventId = 13003, Level = LogLevel.Warning, Message = "Watching network records failed (rebuilding from disk): {Error}")]
    private partial void LogWatchError(string error);
}
