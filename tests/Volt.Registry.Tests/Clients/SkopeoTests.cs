using System.Text.Json;
using Shouldly;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Clients;

/// <summary>skopeo against the registry over plain-HTTP loopback (<c>--tls-verify=false</c>).</summary>
public sealed class SkopeoTests : RegistryTestBase
{
    private Dictionary<string, string?> Env => new() { ["REGISTRY_AUTH_FILE"] = Path.Combine(Root, "auth.json") };

    private Task<Volt.Core.Processes.ProcessResult> Skopeo(params string[] args) => Tools.RunAsync("skopeo", args, Env);

    [Fact]
    public async Task Skopeo_CopiesOciToRegistryAndBack_InspectsListsTagsAndDeletes()
    {
        Tools.Require("skopeo");
        var (src, layerDigest) = OciLayout.Create(Path.Combine(Root, "src"), "v1");
        var creds = $"ci:{PushToken()}";
        var host = Server.HostPort;

        var push = await Skopeo("copy", "--dest-tls-verify=false", "--dest-creds", creds, $"oci:{src}:v1", $"docker://{host}/skopeo/app:v1");
        push.ExitCode.ShouldBe(0, Tools.Describe(push));

        var inspect = await Skopeo("inspect", "--tls-verify=false", $"docker://{host}/skopeo/app:v1");
        inspect.ExitCode.ShouldBe(0, Tools.Describe(inspect));
        using (var doc = JsonDocument.Parse(inspect.StdOut))
            doc.RootElement.GetProperty("Layers")[0].GetString().ShouldBe(layerDigest);

        var tags = await Skopeo("list-tags", "--tls-verify=false", $"docker://{host}/skopeo/app");
        tags.StdOut.ShouldContain("\"v1\"");

        var objects = Objects().Count;
        var second = await Skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-creds", creds,
            $"docker://{host}/skopeo/app:v1", $"docker://{host}/skopeo/copy:v2");
        second.ExitCode.ShouldBe(0, Tools.Describe(second));
        Objects().Count.ShouldBe(objects, "the second repository mounts the blobs and shares the manifest: no new objects");

        var pulled = Path.Combine(Root, "pulled");
        var pull = await Skopeo("copy", "--src-tls-verify=false", $"docker://{host}/skopeo/copy:v2", $"oci:{pulled}:v2");
        pull.ExitCode.ShouldBe(0, Tools.Describe(pull));
        File.Exists(Path.Combine(pulled, "blobs", "sha256", layerDigest[7..])).ShouldBeTrue();

        var delete = await Skopeo("delete", "--tls-verify=false", "--creds", creds, $"docker://{host}/skopeo/app:v1");
        delete.ExitCode.ShouldBe(0, Tools.Describe(delete));
        (await Skopeo("inspect", "--tls-verify=false", $"docker://{host}/skopeo/app:v1")).ExitCode.ShouldNotBe(0);
        (await Skopeo("inspect", "--tls-verify=false", $"docker://{host}/skopeo/copy:v2")).ExitCode.ShouldBe(0, "deleting one repository's manifest leaves the other's");
        Cas.Exists(Digest.Parse(layerDigest)).ShouldBeTrue();
    }

    [Fact]
    public async Task Skopeo_WithAPullToken_CannotPush()
    {
        Tools.Require("skopeo");
        var (src, _) = OciLayout.Create(Path.Combine(Root, "src"), "v1");
        var pull = Tokens.Issue("reader", Volt.Registry.Auth.Access.Pull, TimeSpan.FromHours(1)).Token;
        var r = await Skopeo("copy", "--dest-tls-verify=false", "--dest-creds", $"ci:{pull}", $"oci:{src}:v1", $"docker://{Server.HostPort}/app:v1");
        r.ExitCode.ShouldNotBe(0);
        (r.StdErr + r.StdOut).ShouldContain("denied", Case.Insensitive);
    }

    [Fact]
    public async Task Skopeo_WithAScopedPushToken_PushesToItsRepository_AndIsDeniedAnother()
    {
        Tools.Require("skopeo");
        var (src, _) = OciLayout.Create(Path.Combine(Root, "src"), "v1");
        var scoped = Tokens.Issue("ci", Volt.Registry.Auth.Access.Push, TimeSpan.FromHours(1), ["team/*"]).Token;
        var ok = await Skopeo("copy", "--dest-tls-verify=false", "--dest-creds", $"ci:{scoped}", $"oci:{src}:v1", $"docker://{Server.HostPort}/team/app:v1");
        ok.ExitCode.ShouldBe(0, Tools.Describe(ok));
        var denied = await Skopeo("copy", "--dest-tls-verify=false", "--dest-creds", $"ci:{scoped}", $"oci:{src}:v1", $"docker://{Server.HostPort}/other/app:v1");
        denied.ExitCode.ShouldNotBe(0);
        (denied.StdErr + denied.StdOut).ShouldMatch("(?i)denied|unauthorized|403|401");
        Server.Store.RepositoryExists("other/app").ShouldBeFalse();
    }
}
