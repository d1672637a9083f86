using Shouldly;
using Volt.Core.Errors;
using Volt.GitOps.Pipelines;
using Volt.Testing;
using Xunit;

namespace Volt.GitOps.Tests;

public sealed class PipelineStoreTests
{
    private static Pipeline P(string name) => new()
    {
        Name = name, Repo = "https://github.com/o/r", Provider = "github", Branch = "main", Workload = "web", Secret = "s",
        Created = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Pipelines_and_history_survive_a_new_store_instance()
    {
        using var dir = new TempDir();
        new PipelineStore(dir.Path).Create(P("b"));
        new PipelineStore(dir.Path).Create(P("a"));
        Should.Throw<VoltException>(() => new PipelineStore(dir.Path).Create(P("a"))).Code.ShouldBe(ExitCode.AlreadyExists);
        var store = new PipelineStore(dir.Path);
        store.List().Select(p => p.Name).ShouldBe(["a", "b"]);
        store.Get("a").Secret.ShouldBe("s");
        for (var i = 0; i < 5; i++)
            store.Append("a", new HistoryEntry { Timestamp = DateTimeOffset.UnixEpoch.AddMinutes(i), Commit = $"c{i}", Branch = "main", Status = "success", Trigger = "manual sync", Notes = "manual sync" });
        File.AppendAllText(Path.Combine(dir.Path, "a", "history.jsonl"), "{\"timestamp\":\"19"); // torn last line
        var again = new PipelineStore(dir.Path);
        again.History("a").Select(e => e.Commit).ShouldBe(["c4", "c3", "c2", "c1", "c0"]);
        again.History("a", 2).Select(e => e.Commit).ShouldBe(["c4", "c3"]);
        File.GetUnixFileMode(Path.Combine(dir.Path, "a", "pipeline.json")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.Combine(dir.Path, "a")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public void Delete_removes_everything_and_missing_is_not_found()
    {
        using var dir = new TempDir();
        var store = new PipelineStore(dir.Path);
        store.Create(P("a"));
        store.Delete("a");
        Directory.Exists(Path.Combine(dir.Path, "a")).ShouldBeFalse();
        Should.Throw<VoltException>(() => store.Delete("a")).Code.ShouldBe(ExitCode.NotFound);
        Should.Throw<VoltException>(() => store.Get("a")).Code.ShouldBe(ExitCode.NotFound);
        Should.Throw<VoltException>(() => store.Create(P("../x"))).Code.ShouldBe(ExitCode.Usage);
    }
}
