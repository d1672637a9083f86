using Shouldly;
using Volt.Images.Tests.Fixtures;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>
/// Pulls from real registries (the CNCF reference registry and Volt's own) into an empty VOLT root with the real
/// binary: the store verifies clean and the image runs on systemd-nspawn, zero-length files and all.
/// </summary>
public sealed class FreshStorePullTests : ImageTestBase
{
    private void PullVerifyRun(string reference)
    {
        var pull = Volt("image", "pull", reference);
        pull.Code.ShouldBe(0, pull.Err);
        var verify = Volt("cas", "verify");
        verify.Code.ShouldBe(0, verify.Out + verify.Err);
        ContainerRuns.Require();
        using var runs = new ContainerRuns(Root);
        var run = runs.Volt("run", "--rm", reference, "true");
        run.Code.ShouldBe(0, run.Err);
    }

    [Fact]
    public async Task Pull_FromDistribution_IntoAFreshRoot_VerifiesClean_AndRuns()
    {
        using var registry = await DistributionRegistry.StartAsync(Temp.Combine("registry"), Ct);
        var layout = OciLayoutWriter.Runnable(Temp.Combine("layout"), "1");
        await registry.PushLayoutAsync(layout, "1", "base", Ct);
        PullVerifyRun($"{registry.Host}/base:1");
    }

    [Fact]
    public async Task Pull_FromVoltRegistry_IntoAFreshRoot_VerifiesClean_AndRuns()
    {
        TestEnv.RequireTool("skopeo");
        await using var registry = await VoltRegistry.StartAsync(Temp.Combine("registry-root"), Ct);
        var layout = OciLayoutWriter.Runnable(Temp.Combine("layout"), "1");
        var copy = TestEnv.Run("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", registry.PushCreds, $"oci:{layout}:1", $"docker://{registry.Host}/base:1");
        copy.Code.ShouldBe(0, copy.Err);
        PullVerifyRun($"{registry.Host}/base:1");
    }
}
