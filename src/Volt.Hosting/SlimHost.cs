using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Volt.Hosting;

/// <summary>
/// What every Volt server (registry, GitOps, voltd) sets up the same way on Kestrel's AOT-clean slim builder: no
/// framework logging (servers log their own lines) and a host lifetime owned by the caller (the CLI or voltd decides
/// when to stop; the host installs no Ctrl+C/SIGTERM handler of its own).
/// </summary>
public static class SlimHost
{
    public static WebApplicationBuilder CreateBuilder(string contentRoot)
    {
        // No reload of appsettings on change: Volt's servers read no appsettings, and the watcher behind it costs every
        // server (every voltd) one of the user's inotify instances (fs.inotify.max_user_instances, 128 by default),
        // which a loaded host runs out of — wireguard-go then dies at start (docs/decisions.md, 2026-12-02 s6).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = contentRoot });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        return builder;
    }

    /// <summary>The first address Kestrel bound (the real port when asked for port 0).</summary>
    public static string BoundAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
