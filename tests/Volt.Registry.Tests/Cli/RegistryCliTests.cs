using System.Net;
using System.Text.Json;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Registry.Tests.Cli;

/// <summary>The <c>volt registry</c> commands, run as the real binary against the test's VOLT root and live server.</summary>
public sealed class RegistryCliTests : RegistryTestBase
{
    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    [Fact]
    public async Task Token_Push_PrintsATokenThatCanPush_AndIsAudited()
    {
        var (code, stdout, stderr) = Volt("registry", "token", "--push", "--expiry", "2h");
        code.ShouldBe(0, stderr);
        var token = stdout.Trim();
        await new OciClient(Client(token)).PushBlobAsync("cli", [1, 2, 3]);
        var (pullCode, pullOut, _) = Volt("registry", "token", "-o", "json");
        pullCode.ShouldBe(0);
        using (var doc = JsonDocument.Parse(pullOut)) doc.RootElement.GetProperty("access").GetString().ShouldBe("pull");
        (await File.ReadAllTextAsync(Paths.AuditLog, Ct)).ShouldContain("registry.token");
        (await File.ReadAllTextAsync(Paths.AuditLog, Ct)).ShouldNotContain(token);
    }

    [Fact]
    public async Task List_ShowsRepositoriesTagsAndSizes()
    {
        var img = await Oci.PushImageAsync("team/app", "v1", layerSize: 5000);
        await Oci.PutManifestAsync("team/app", "latest", img.Manifest);
        var (code, stdout, stderr) = Volt("registry", "list", "-o", "json");
        code.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var row = doc.RootElement.EnumerateArray().Single();
        row.GetProperty("repository").GetString().ShouldBe("team/app");
        row.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["latest", "v1"]);
        row.GetProperty("size").GetInt64().ShouldBeGreaterThan(5000);
        Volt("registry", "list").Out.ShouldContain("team/app");
    }

    [Fact]
    public async Task Delete_Tag_ThenManifest_ThenUnknown_ExitsNotFound()
    {
        var img = await Oci.PushImageAsync("app", "v1");
        await Oci.PutManifestAsync("app", "v2", img.Manifest);
        Volt("registry", "delete", "app:v1").Code.ShouldBe(0);
        (await Anonymous.GetAsync("/v2/app/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Volt("registry", "delete", $"app@{img.ManifestDigest}").Code.ShouldBe(0);
        (await Anonymous.GetAsync("/v2/app/manifests/v2", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var missing = Volt("registry", "delete", "nothing:here");
        missing.Code.ShouldBe(3, missing.Err);
        Volt("registry", "delete", "Bad..Name").Code.ShouldBe(2);
        (await File.ReadAllTextAsync(Paths.AuditLog, Ct)).ShouldContain("registry.delete");
    }

    [Fact]
    public async Task Gc_AfterDeletingARepository_FreesItsBytes()
    {
        await Oci.PushImageAsync("gone", "v1", layerSize: 100_000);
        var kept = await Oci.PushImageAsync("kept", "v1", layerSize: 1000);
        Volt("registry", "delete", "gone").Code.ShouldBe(0);
        File.WriteAllText(Path.Combine(Paths.Etc, "config.yaml"), "cas:\n  gc_grace: 0s\n");
        var (code, stdout, stderr) = Volt("registry", "gc", "-o", "json");
        code.ShouldBe(0, stderr);
        using (var doc = JsonDocument.Parse(stdout)) doc.RootElement.GetProperty("freed").GetInt64().ShouldBeGreaterThan(100_000);
        (await Anonymous.GetAsync("/v2/kept/manifests/v1", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Anonymous.GetByteArrayAsync($"/v2/kept/blobs/{kept.LayerDigest}", Ct)).ShouldBe(kept.Layer);
    }

    [Fact]
    public async Task Status_ShowsTheRunningServerAndItsCounters()
    {
        await Oci.PushImageAsync("app", "v1");
        await Task.Delay(200, Ct);
        var (code, stdout, stderr) = Volt("registry", "status", "-o", "json");
        code.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("state").GetString().ShouldBe("running");
        doc.RootElement.GetProperty("repositories").GetInt32().ShouldBe(1);
        doc.RootElement.GetProperty("address").GetString().ShouldBe(Server.Address.ToString());
    }

    [Fact]
    public async Task RequestLog_HasOneLinePerRequest_WithMethodPathStatusBytesAndDuration()
    {
        await Anonymous.GetAsync("/v2/app/tags/list", Ct);
        await Server.StopAsync();
        var log = await File.ReadAllTextAsync(Path.Combine(Paths.Log, "registry.log"), Ct);
        log.ShouldMatch(@"127\.0\.0\.1 GET /v2/app/tags/list 404 in=0 out=\d+ [\d.]+ms");
        await RestartAsync();
    }

    [Theory]
    [InlineData("serve", "--port", "99999")]
    [InlineData("serve", "--port", "-1")]
    [InlineData("token", "--expiry", "99999999999d")]
    [InlineData("token", "--expiry", "0s")]
    [InlineData("token", "--scope", "Bad..Name")]
    public void Options_WithValuesOutOfRange_ExitUsageNamingTheOption(string command, string option, string value)
    {
        var (code, _, stderr) = Volt("registry", command, option, value);
        code.ShouldBe(2, stderr);
        stderr.ShouldStartWith("Error: ");
        stderr.ShouldContain(option == "--scope" ? "scope" : option);
        stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Token_WithScope_CoversOnlyThoseRepositories()
    {
        var (code, stdout, stderr) = Volt("registry", "token", "--push", "--scope", "team/*,tools", "-o", "json");
        code.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()).ShouldBe(["team/*", "tools"]);
        var oci = new OciClient(Client(doc.RootElement.GetProperty("token").GetString()));
        await oci.PushBlobAsync("tools", [1]);
        await oci.PushBlobAsync("team/x", [2]);
        (await Client(doc.RootElement.GetProperty("token").GetString()).PostAsync("/v2/other/blobs/uploads/", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await File.ReadAllTextAsync(Paths.AuditLog, Ct)).ShouldContain("team/*,tools");
    }

    [Fact]
    public async Task CasVerifyAndRegistryGc_WithAManifestWhoseKeyIsNotUtf8_ExitZero()
    {
        var config = global::Volt.Storage.Cas.Digest.Parse(await Oci.PushBlobAsync("bad", "{}"u8.ToArray()));
        byte[] bytes = [.. "{\"schemaVersion\":2,\""u8, 0xc3, 0x28, .. System.Text.Encoding.UTF8.GetBytes($"\":1,\"config\":{{\"digest\":\"{config}\",\"size\":2}},\"layers\":[]}}")];
        var put = Cas.Put(bytes, global::Volt.Storage.Cas.HashAlgo.Sha256);
        Cas.Refs.Set(global::Volt.Registry.Storage.RegistryStore.ManifestRef("bad", put.Digest), put.Digest, global::Volt.Storage.Cas.RefKind.Oci, bytes.Length);
        var verify = Volt("cas", "verify");
        verify.Code.ShouldBe(0, verify.Err);
        var gc = Volt("registry", "gc");
        gc.Code.ShouldBe(0, gc.Err);
        Volt("cas", "gc").Code.ShouldBe(0);
        Cas.Exists(config).ShouldBeTrue();
    }
}
