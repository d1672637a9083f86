using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Distribution;
using Volt.Images.Oci;
using Volt.Images.Push;
using Volt.Images.Sources;
using Volt.Images.Tests.Fixtures;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>Bearer-token auth (401 challenge → token endpoint with basic credentials) against the Volt registry.</summary>
public sealed class TokenAuthTests : ImageTestBase, IAsyncLifetime
{
    private RunningRegistry _server = null!;
    private string RegistryRoot => Temp.Combine("registry-root");

    public async ValueTask InitializeAsync() =>
        _server = await RegistryServer.StartAsync(new RegistryOptions { Paths = new(RegistryRoot), Port = 0, AnonymousPull = false }, Ct);

    public async ValueTask DisposeAsync() => await _server.StopAsync();

    private string Token(string access) => new TokenService(TokenService.KeyPath(new(RegistryRoot))).Issue("ci", access, TimeSpan.FromHours(1)).Token;

    [Fact]
    public async Task PushAndPull_FollowTheBearerChallenge_WithCredentials()
    {
        var src = await ImportLayers("app:1", (LayerBuilder.Busybox(), Compression.Gzip));
        var dest = ImageReference.Parse($"{_server.HostPort}/team/app:1");

        using (var anonymous = new RegistryClient(dest))
            (await Should.ThrowAsync<VoltException>(() => new ImagePusher(Cas).PushAsync(src.Image, anonymous, null, Ct))).Code.ShouldBe(ExitCode.Permission);
        using (var pullOnly = new RegistryClient(dest, new RegistryCredentials("ci", Token(Access.Pull))))
            (await Should.ThrowAsync<VoltException>(() => new ImagePusher(Cas).PushAsync(src.Image, pullOnly, null, Ct))).Code.ShouldBe(ExitCode.Permission);

        using (var pusher = new RegistryClient(dest, new RegistryCredentials("ci", Token(Access.Push))))
            await new ImagePusher(Cas).PushAsync(src.Image, pusher, null, Ct);

        using (var anonymous = new RegistrySource(new RegistryClient(dest)))
            (await Should.ThrowAsync<VoltException>(() => new ImagePuller(Cas).PullAsync(anonymous, dest, Amd64, null, Ct))).Code.ShouldBe(ExitCode.Permission);
        using var source = new RegistrySource(new RegistryClient(dest, new RegistryCredentials("ci", Token(Access.Pull))));
        var pulled = await new ImagePuller(Cas).PullAsync(source, dest, Amd64, null, Ct);
        pulled.Image.Record.Cmd.ShouldBe(["/bin/sh"]);
    }
}
