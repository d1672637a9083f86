using Microsoft.AspNetCore.Builder;
using Volt.Registry.Storage;

namespace Volt.Registry.Hosting;

/// <summary>A started registry: its address, store and counters; a background loop publishes status and expires uploads.</summary>
public sealed class RunningRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RequestLog _log;
    private readonly RegistryOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _housekeeping;
    private int _stopped;

    internal RunningRegistry(WebApplication app, Uri address, RegistryStore store, RegistryMetrics metrics, RequestLog log, RegistryOptions options)
    {
        _app = app; _log = log; _options = options;
        Address = address; Store = store; Metrics = metrics;
        Started = options.Time.GetUtcNow();
        _housekeeping = Task.Run(HousekeepingAsync);
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri Address { get; }
    /// <summary><c>127.0.0.1:40123</c>, as image references spell it.</summary>
    public string HostPort => $"{Address.Host}:{Address.Port}";
    public RegistryStore Store { get; }
    public RegistryMetrics Metrics { get; }
    public DateTimeOffset Started { get; }

    internal Func<RegistryOptions, string>? Reloader { get; init; }

    /// <summary>
    /// SIGHUP: applies what can change while serving (anonymous pull, a renewed certificate) from
    /// <paramref name="next"/> and says what it did. A certificate that does not load throws (exit 12) and the
    /// running one stays.
    /// </summary>
    public string Reload(RegistryOptions next) => Reloader?.Invoke(next) ?? "nothing to reload";

    /// <summary>SIGUSR2: the request log is opened again at its path.</summary>
    public void ReopenLog() => _log.Reopen();

    public StatusSnapshot Snapshot() => Metrics.Snapshot(Environment.ProcessId, Address.ToString(), Started, _options.Time.GetUtcNow());

    /// <summary>Expires idle upload sessions now; returns how many were removed.</summary>
    public int ExpireUploads()
    {
        var (n, _) = Store.Uploads.Expire(_options.UploadExpiry);
        if (n > 0) Metrics.UploadsExpired(n);
        return n;
    }

    private async Task HousekeepingAsync()
    {
        var nextExpiry = DateTimeOffset.MinValue;
        var expiryEvery = TimeSpan.FromTicks(Math.Clamp(_options.UploadExpiry.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var now = _options.Time.GetUtcNow();
                if (now >= nextExpiry) { ExpireUploads(); nextExpiry = now + expiryEvery; }
                StatusFile.Write(_options.StatusFile, Snapshot());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            try { await Task.Delay(_options.StatusInterval, _options.Time, _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Stops accepting requests, lets in-flight ones finish (up to <paramref name="grace"/>), writes a final status.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        using (var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(10)))
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        _stop.Cancel();
        await _housekeeping.ConfigureAwait(false);
        try { StatusFile.Write(_options.StatusFile, Snapshot()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        await _log.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
