using System.Net.Http.Headers;
using Volt.Core.Paths;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests;

/// <summary>
/// Each test gets its own VOLT root in a temp dir and a real registry on 127.0.0.1:0, and talks real HTTP to it.
/// The default client carries a push token; <see cref="Anonymous"/> carries none.
/// </summary>
public abstract class RegistryTestBase : IAsyncLifetime
{
    protected string Root { get; } = Directory.CreateTempSubdirectory("volt-registry-test-").FullName;
    protected VoltPaths Paths => new(Root);
    protected RunningRegistry Server { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;
    protected HttpClient Anonymous { get; private set; } = null!;
    protected OciClient Oci { get; private set; } = null!;
    protected TokenService Tokens => new(TokenService.KeyPath(Paths));
    protected CasStore Cas => Server.Store.Cas;
    protected CancellationToken Ct => TestContext.Current.CancellationToken;

    protected virtual RegistryOptions Options() => new() { Paths = Paths, Port = 0 };

    public virtual async ValueTask InitializeAsync() => await StartAsync(Options()).ConfigureAwait(false);

    protected async Task StartAsync(RegistryOptions options)
    {
        Server = await RegistryServer.StartAsync(options, Ct);
        Http = Client(Tokens.Issue("test", Access.Push, TimeSpan.FromHours(1)).Token);
        Anonymous = Client(null);
        Oci = new OciClient(Http);
    }

    protected async Task RestartAsync(RegistryOptions? options = null)
    {
        await Server.StopAsync();
        Http.Dispose();
        Anonymous.Dispose();
        await StartAsync(options ?? Options());
    }

    protected HttpClient Client(string? bearer)
    {
        var c = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Server.Address, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return c;
    }

    protected string PushToken() => Tokens.Issue("test", Access.Push, TimeSpan.FromHours(1)).Token;

    /// <summary>Every file under objects/ (all algorithms).</summary>
    protected List<StoredObject> Objects() => [.. Cas.EnumerateObjects()];

    public virtual async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        Http.Dispose();
        Anonymous.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
