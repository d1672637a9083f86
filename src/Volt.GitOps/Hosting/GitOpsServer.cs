using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
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
    public Action<string> Log { get; init; } = _ => { };
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
    private int _stopped;

    private GitOpsServer(WebApplication app, Uri address, DeployQueue queue, Task poller, CancellationTokenSource stop)
    {
        _app = app; Address = address; Queue = queue; _poller = poller; _stop = stop;
    }

    public Uri Address { get; }
    public DeployQueue Queue { get; }

    public static async Task<GitOpsServer> StartAsync(GitOpsServerOptions o, CancellationToken ct = default)
    {
        Directory.CreateDirectory(o.Store.Root); // a fresh host has no pipelines yet; Kestrel wants its content root
        var deployer = new Deployer(o.Store, o.Sources, o.Workloads, o.Time);
        var queue = new DeployQueue(deployer, o.Log);
        var receiver = new WebhookReceiver(o.Store, queue, o.Time, o.Log);
        var builder = SlimHost.CreateBuilder(o.Store.Root);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBody;
            k.Listen(IPAddress.TryParse(o.Listen, out var ip) ? ip : throw VoltException.Usage($"invalid listen address \"{o.Listen}\""), o.Port);
        });
        var app = builder.Build();
        app.Run(http => HandleAsync(http, receiver));
        try { await app.StartAsync(ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new VoltException(ExitCode.Network, $"Failed starting the GitOps server on {o.Listen}:{o.Port}: {e.Message}", e);
        }
        foreach (var p in o.Store.List().Where(p => p.Secret is null && !p.IsSvn))
            o.Log($"warning: pipeline {p.Name} has no secret: any HTTP POST can trigger its deploys");
        var address = SlimHost.BoundAddress(app);
        var stop = new CancellationTokenSource();
        var poller = new SvnPoller(o.Store, o.Sources, queue, o.Time, o.Log);
        var polling = Task.Run(() => poller.RunAsync(stop.Token));
        return new GitOpsServer(app, new Uri(address.Replace("[::]", "localhost").Replace("0.0.0.0", "127.0.0.1")), queue, polling, stop);
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
        await Queue.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

}
