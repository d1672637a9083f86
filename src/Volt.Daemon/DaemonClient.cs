using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Workloads.Supervision;

namespace Volt.Daemon;

/// <summary>The voltd supervisor as the CLI sees it: typed calls over the unix socket, errors back as exit codes.</summary>
public sealed class DaemonClient(string socketPath) : ISupervisor, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch { socket.Dispose(); throw; }
        },
    })
    { BaseAddress = new Uri("http://voltd/"), Timeout = Timeout.InfiniteTimeSpan };

    public string Name => "voltd";
    public string SocketPath => socketPath;

    public async Task<PingResponse?> TryPingAsync(CancellationToken ct = default)
    {
        if (!File.Exists(socketPath)) return null;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            using var r = await _http.GetAsync("v1/ping", cts.Token).ConfigureAwait(false);
            return r.IsSuccessStatusCode
                ? JsonSerializer.Deserialize(await r.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), DaemonJson.Default.PingResponse) : null;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException or IOException) { return null; }
    }

    public Task StartAsync(string name, CancellationToken ct = default) => PostAsync($"v1/containers/{Uri.EscapeDataString(name)}/start", ct);

    public Task StopAsync(string name, TimeSpan timeout, CancellationToken ct = default) =>
        PostAsync($"v1/containers/{Uri.EscapeDataString(name)}/stop?timeout={timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}", ct);

    private async Task PostAsync(string path, CancellationToken ct)
    {
        HttpResponseMessage r;
        try { r = await _http.PostAsync(path, null, ct).ConfigureAwait(false); }
        catch (HttpRequestException e) { throw new VoltException(ExitCode.Daemon, $"voltd at {socketPath} is not answering: {e.Message}", e); }
        using (r)
        {
            if (r.IsSuccessStatusCode) return;
            var body = await r.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            ErrorResponse? error = null;
            try { error = JsonSerializer.Deserialize(body, DaemonJson.Default.ErrorResponse); } catch (JsonException) { }
            throw new VoltException(error is null ? ExitCode.Daemon : (ExitCode)error.Code, error?.Message ?? $"voltd answered {(int)r.StatusCode}");
        }
    }

    public void Dispose() => _http.Dispose();
}
