using System.Net.Security;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Ingress.Routes;
using Volt.Ingress.Tls;

namespace Volt.Ingress.Proxy;

public sealed partial class IngressServer
{
    private FileSystemWatcher? _routesWatcher, _attachmentsWatcher;
    private Timer? _debounce;

    /// <summary>
    /// Loads every route file again (validated all at once), resolves backends and certificates, and swaps: the next
    /// request and the next TLS handshake see the new configuration. On any problem nothing changes and the reason
    /// is logged and returned (exit 12 for the CLI).
    /// </summary>
    public ReloadResult Reload(string reason)
    {
        try
        {
            var loaded = Load();
            lock (_reloadGate) Apply(loaded, reason);
            PublishState();
            IngressLog.Reloaded(_log, reason, _state.Table.Routes.Count, _state.Generation);
            if (!reason.StartsWith("certificate ", StringComparison.Ordinal)) _acme?.Wake();
            return new ReloadResult(true, _state.Generation, null);
        }
        catch (VoltException e)
        {
            IngressLog.ReloadRefused(_log, reason, e.Message);
            return new ReloadResult(false, _state.Generation, e.Message);
        }
    }

    private sealed record Loaded(IReadOnlyList<IngressRoute> Routes, Dictionary<string, IReadOnlyList<string>> Endpoints, Dictionary<string, SslStreamCertificateContext> Certs);

    private Loaded Load()
    {
        var routes = _o.Store.LoadAll();
        var endpoints = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var certs = new Dictionary<string, SslStreamCertificateContext>(StringComparer.Ordinal);
        var now = _o.Time.GetUtcNow();
        foreach (var r in routes)
        {
            endpoints[r.Name] = _o.Resolver.Resolve(r.Backends);
            if (endpoints[r.Name].Count == 0) IngressLog.RouteWarning(_log, r.Name, $"no backend resolves yet ({string.Join(", ", r.Backends)}): answering 503 until one does");
            if (r.Tls == TlsModes.Manual)
            {
                var (leaf, chain) = PemCertificate.Load(r.Cert!, r.Key!, r.Hostname, now);
                certs[r.Hostname] = CertificateStore.Context(leaf, chain);
            }
            else if (r.Tls == TlsModes.Auto && !certs.ContainsKey(r.Hostname))
            {
                if (AutoCertificates?.Invoke(r.Hostname) is { } auto) certs[r.Hostname] = CertificateStore.Context(auto.Leaf, auto.Chain);
                else IngressLog.Placeholder(_log, r.Name, r.Hostname);
            }
        }
        return new Loaded(routes, endpoints, certs);
    }

    private void Apply(Loaded l, string reason)
    {
        var built = YarpConfig.Build(l.Routes, r => l.Endpoints[r.Name], _o.Health);
        // YARP first, with the previous generation's routes still in: a request resolved on the old table a moment
        // ago still finds its YARP route; the one after the next reload drops them.
        var routes = built.Routes.Concat(_previous?.Routes ?? []).DistinctBy(r => r.RouteId).ToList();
        var clusters = built.Clusters.Concat(_previous?.Clusters ?? []).DistinctBy(c => c.ClusterId).ToList();
        _yarp.Update(routes, clusters);
        _previous = built;
        _state = new IngressState(_state.Generation + 1, new RouteTable(l.Routes), new CertificateStore(l.Certs, _placeholder), built.RouteIds, l.Endpoints);
    }

    /// <summary>Certificates changed (ACME issued or renewed one): reload so the next handshake presents it.</summary>
    public ReloadResult CertificatesChanged(string host) => Reload("certificate " + host);

    private void StartWatching()
    {
        _debounce = new Timer(_ => Reload("route or backend change"), null, Timeout.Infinite, Timeout.Infinite);
        void Changed(object? _, FileSystemEventArgs e)
        {
            if (e.Name is { } n && (n.StartsWith('.') || n.EndsWith(".tmp", StringComparison.Ordinal) || n.Contains(".tmp", StringComparison.Ordinal))) return;
            _debounce?.Change(150, Timeout.Infinite);
        }
        _routesWatcher = Watch(_o.Store.Dir, "*.json", Changed);
        if (_o.AttachmentsDir is { } a)
        {
            try { Directory.CreateDirectory(a); _attachmentsWatcher = Watch(a, "*.json", Changed); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { IngressLog.Info(_log, "watch", $"cannot watch {a}: {e.Message}"); }
        }
    }

    private static FileSystemWatcher Watch(string dir, string filter, FileSystemEventHandler changed)
    {
        var w = new FileSystemWatcher(dir, filter) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
        w.Created += changed; w.Changed += changed; w.Deleted += changed;
        w.Renamed += (s, e) => changed(s, e);
        w.EnableRaisingEvents = true;
        return w;
    }

    private void StopWatching()
    {
        _routesWatcher?.Dispose(); _attachmentsWatcher?.Dispose();
        _debounce?.Dispose();
    }

    private void PublishState()
    {
        if (_o.StateFile is null) return;
        var s = new IngressServerState
        {
            Pid = Environment.ProcessId, Http = HttpAddress?.ToString().TrimEnd('/'), Https = HttpsAddress?.ToString().TrimEnd('/'),
            Generation = _state.Generation, Routes = _state.Table.Routes.Count, Certificates = [.. _state.Certs.Names.Order(StringComparer.Ordinal)],
            Updated = _o.Time.GetUtcNow(),
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_o.StateFile)!);
            Volt.Core.IO.AtomicFile.WriteAllBytes(_o.StateFile, JsonSerializer.SerializeToUtf8Bytes(s, IngressStateJson.Default.IngressServerState), durable: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>What a reload did.</summary>
public sealed record ReloadResult(bool Applied, int Generation, string? Problem);

/// <summary><c>/var/run/volt/ingress-serve.json</c>: the running proxy, for <c>volt ingress status|reload</c>.</summary>
public sealed record IngressServerState
{
    public int Pid { get; init; }
    public string? Http { get; init; }
    public string? Https { get; init; }
    public int Generation { get; init; }
    public int Routes { get; init; }
    public IReadOnlyList<string> Certificates { get; init; } = [];
    public DateTimeOffset Updated { get; init; }

    public static IngressServerState? TryRead(string file)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(file), IngressStateJson.Default.IngressServerState); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IngressServerState))]
internal sealed partial class IngressStateJson : JsonSerializerContext;
