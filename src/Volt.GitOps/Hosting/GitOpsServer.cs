using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Hosting;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.GitOps.Webhooks;

namespace Volt.GitOps.Hosting;

/// <summary>How to run the webhook server: where, which engines, where log lines go.</summary>
public sealed record GitOpsServerOptions
{
    public required PipelineStore Store { get; init; }
    public required SourceControl Sources { get; init; }
    public required IWorkloadDeployer Workloads { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public string Listen { get; init; } = "0.0.0.0";
    public int Port { get; init; } = 9090;
    /// <summary>Where the server, poller and deploy queue log (category <see cref="GitOpsLog.Category"/>, event ids 8000-8999).</summary>
    public ILoggerFactory Logging { get; init; } = NullLoggerFactory.Instance;
    /// <summary>Where to publish <see cref="ServerState"/> (serve: /var/run/volt/gitops-serve.json); null publishes nothing.</summary>
    public string? StateFile { get; init; }
}

/// <summary>
/// The webhook server (<c>POST /hooks/{github,gitlab,bitbucket}</c>, <c>GET /healthz</c>) plus the SVN poller, on
/// Kestrel's slim builder (AOT-clean). Tests start it on 127.0.0.1:0.
/// </summary>
public sealed class GitOpsServer : IAsyncDisposable
{
    /// <summary>Largest accepted webhook body: 25 MB (GitHub's own cap).</summary>
    public const long MaxBody = 25L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop;
    private readonly Task _poller;
    private readonly Task _publisher;
    private readonly Counters _counters;
    private readonly string? _stateFile;
    private int _stopped;

    private GitOpsServer(WebApplication app, Uri address, DeployQueue queue, Task poller, CancellationTokenSource stop, Counters counters, GitOpsServerOptions o)
    {
        _app = app; Address = address; Queue = queue; _poller = poller; _stop = stop; _counters = counters; _stateFile = o.StateFile;
        Started = o.Time.GetUtcNow();
        queue.Deployed += (_, _) => Interlocked.Increment(ref counters.Deploys);
        _publisher = o.StateFile is null ? Task.CompletedTask : Task.Run(() => PublishAsync(o.StateFile, o.Time, stop.Token));
    }

    /// <summary>Requests answered and deploys recorded since start (shared with the request handler).</summary>
    private sealed class Counters
    {
        public long Requests;
        public long Deploys;
    }

    public DateTimeOffset Started { get; }
    public long Requests => Interlocked.Read(ref _counters.Requests);

    private ServerState State(TimeProvider time) => new()
    {
        Pid = Environment.ProcessId, Address = Address.ToString().TrimEnd('/'), Started = Started,
        Requests = Interlocked.Read(ref _counters.Requests), Deploys = Interlocked.Read(ref _counters.Deploys), Updated = time.GetUtcNow(),
    };

    private async Task PublishAsync(string file, TimeProvider time, CancellationToken ct)
    {
        long written = -1;
        while (!ct.IsCancellationRequested)
        {
            var now = Interlocked.Read(ref _counters.Requests) + Interlocked.Read(ref _counters.Deploys);
            if (now != written)
            {
                try { ServerState.Write(file, State(time)); written = now; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    public Uri Address { get; }
    public DeployQueue Queue { get; }

    public static async Task<GitOpsServer> StartAsync(GitOpsServerOptions o, CancellationToken ct = default)
    {
        Directory.CreateDirectory(o.Store.Root); // a fresh host has no pipelines yet; Kestrel wants its content root
        var deployer = new Deployer(o.Store, o.Sources, o.Workloads, o.Time);
        var log = o.Logging.CreateLogger(GitOpsLog.Category);
        var queue = new DeployQueue(deployer, log);
        var receiver = new WebhookReceiver(o.Store, queue, o.Time, log, new DeliveryLog(Path.Combine(o.Store.Root, ".deliveries")));
        var counters = new Counters();
        var builder = SlimHost.CreateBuilder(o.Store.Root);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBody;
            k.Listen(IPAddress.TryParse(o.Listen, out var ip) ? ip : throw VoltException.Usage($"invalid --listen \"{SourceControl.Shown(o.Listen, 40)}\": expected an IP address"), o.Port);
        });
        var app = builder.Build();
        app.Run(async http =>
        {
            Interlocked.Increment(ref counters.Requests);
            try { await HandleAsync(http, receiver).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
            {
                // Never an empty answer: the reason is logged and answered (the fuzz tests fail on any 5xx). A Volt
                // failure (a corrupt pipeline: 12) gets the status every Volt server answers its exit code with.
                var status = HttpErrors.StatusFor(e);
                GitOpsLog.WebhookFailed(log, http.Request.Path.ToString(), status, e is VoltException ? e.Message : $"internal error: {e.GetType().Name}: {e.Message}");
                await Text(http, status, e is VoltException ? e.Message : "internal error").ConfigureAwait(false);
            }
        });
        try { await app.StartAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new VoltException(ExitCode.Network, $"Failed starting the GitOps server on {o.Listen}:{o.Port}: {e.Message}", e);
        }
        foreach (var p in o.Store.List().Where(p => p.Secret is null && !p.IsSvn))
            GitOpsLog.NoSecretAtStart(log, p.Name);
        var address = SlimHost.BoundAddress(app);
        var stop = new CancellationTokenSource();
        var poller = new SvnPoller(o.Store, o.Sources, queue, o.Time, log);
        var polling = Task.Run(() => poller.RunAsync(stop.Token));
        return new GitOpsServer(app, new Uri(address.Replace("[::]", "localhost").Replace("0.0.0.0", "127.0.0.1")), queue, polling, stop, counters, o);
    }

    private static async Task HandleAsync(HttpContext http, WebhookReceiver receiver)
    {
        var path = http.Request.Path.Value ?? "";
        if (path == "/healthz" && HttpMethods.IsGet(http.Request.Method)) { await Text(http, 200, "ok").ConfigureAwait(false); return; }
        if (!path.StartsWith("/hooks/", StringComparison.Ordinal)) { await Text(http, 404, "not found").ConfigureAwait(false); return; }
        var provider = path["/hooks/".Length..];
        if (provider is not (Providers.GitHub or Providers.GitLab or Providers.Bitbucket)) { await Text(http, 404, $"unknown provider \"{provider}\"").ConfigureAwait(false); return; }
        if (!HttpMethods.IsPost(http.Request.Method)) { await Text(http, 405, "POST only").ConfigureAwait(false); return; }
        if (http.Request.ContentLength > MaxBody) { await Text(http, 413, "payload too large (max 25 MB)").ConfigureAwait(false); return; }
        byte[] body;
        try { body = await ReadBodyAsync(http.Request.Body, http.RequestAborted).ConfigureAwait(false); }
        catch (BadHttpRequestException e) when (e.StatusCode == 413) { await Text(http, 413, "payload too large (max 25 MB)").ConfigureAwait(false); return; }
        catch (InvalidDataException) { await Text(http, 413, "payload too large (max 25 MB)").ConfigureAwait(false); return; }
        var headers = http.Request.Headers;
        var result = receiver.Handle(provider, name => headers.TryGetValue(name, out var v) ? v.ToString() : null, body);
        await Text(http, result.Status, result.Message).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > MaxBody) throw new InvalidDataException("body too large");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    private static Task Text(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message + "\n");
    }

    /// <summary>Stops accepting webhooks and polling, then lets running deploys finish.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        using (var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(5)))
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        _stop.Cancel();
        await _poller.ConfigureAwait(false);
        await _publisher.ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
        if (_stateFile is not null) AtomicFile.TryDelete(_stateFile);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

}
