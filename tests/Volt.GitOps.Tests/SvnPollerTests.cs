using Shouldly;
using Volt.Core.Processes;
using Volt.GitOps.Hosting;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

public sealed class SvnPollerTests
{
    [Fact]
    public async Task An_svn_commit_is_deployed_within_one_poll_interval()
    {
        using var svn = new SvnServer();
        using var dir = new TempDir("volt-gitops");
        var store = new PipelineStore(dir.Combine("gitops"));
        store.Create(new Pipeline { Name = "legacy", Repo = svn.Url, Provider = "svn", Branch = "trunk", Workload = "legacy", PollInterval = 2 });
        var deployer = new RecordingDeployer();
        await using var server = await GitOpsServer.StartAsync(new GitOpsServerOptions
        {
            Store = store, Sources = new SourceControl(new ProcessRunner()), Workloads = deployer, Listen = "127.0.0.1", Port = 0,
        });
        // The first poll sees revision 1 (only trunk/, no manifest): a failed entry naming what is missing.
        var first = await Wait.ForHistory(store, "legacy", 1, TimeSpan.FromSeconds(10));
        first[0].Notes.ShouldContain("no volt-manifest.yaml");

        var rev = svn.Commit(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: legacy:1\nenv: [MODE=svn]\n" });
        // The deploy is the poller's (its trigger says so): no webhook exists for svn, so nothing else could start it.
        var h = await Wait.ForHistory(store, "legacy", 2, TimeSpan.FromSeconds(10));
        (h[0].Status, h[0].Commit, h[0].Trigger).ShouldBe(("success", rev, "poll (svn)"), h[0].Notes);
        deployer.Deployed.Last().Manifest.Env.ShouldBe(["MODE=svn"]);

        await Task.Delay(2500);
        store.History("legacy").Count.ShouldBe(2); // no new revision: nothing redeployed
    }
}
