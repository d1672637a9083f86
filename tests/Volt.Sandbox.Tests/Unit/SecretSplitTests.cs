using Shouldly;
using Volt.Sandbox.Planning;
using Volt.Sandbox.Policy;
using Volt.Testing;
using Xunit;

namespace Volt.Sandbox.Tests.Unit;

/// <summary>A rule over a directory with a secret beneath it is split into one rule per other entry.</summary>
public sealed class SecretSplitTests : IDisposable
{
    private readonly TempDir _dir = new("secretsplit");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Split_GivesDirectoriesTheRule_FilesAndLinksToFilesOnlyItsFileRights_AndTheSecretNothing()
    {
        var root = _dir.Combine("etc");
        Directory.CreateDirectory(Path.Combine(root, "ssl"));
        File.WriteAllText(Path.Combine(root, "hosts"), "");
        File.WriteAllText(Path.Combine(root, "shadow"), "");
        File.CreateSymbolicLink(Path.Combine(root, "os-release"), Path.Combine(root, "hosts"));
        Directory.CreateSymbolicLink(Path.Combine(root, "certs"), Path.Combine(root, "ssl"));
        var access = LandlockRights.Exec | LandlockRights.ReadDir | LandlockRights.WriteFile | LandlockRights.MakeReg;
        var rules = SandboxPlanner.WithoutSecrets(root, access, [Path.Combine(root, "shadow")], []).ToList();
        rules.Select(r => (Path.GetRelativePath(_dir.Path, r.Path), r.Access)).ShouldBe([
            ("etc", LandlockRights.ReadDir),
            ("etc/certs", access),
            ("etc/hosts", access & LandlockRights.FileRights),
            ("etc/os-release", access & LandlockRights.FileRights),
            ("etc/ssl", access),
        ]);
    }

    [Fact]
    public void Merge_OneRulePerPath_AccessOred_DropsOptionalRulesAnAncestorGrants_KeepsRequiredOnes()
    {
        var read = LandlockRights.Read;
        var write = LandlockRights.Write;
        var merged = SandboxPlanner.Merge([
            new PathRule("/", LandlockRights.ReadDir, true),
            new PathRule("/var", read, true),
            new PathRule("/var/lib", read, true),          // covered by /var
            new PathRule("/var/lib", write, true),         // the same path again: merged, then not covered (write)
            new PathRule("/var/log", LandlockRights.ReadDir, true), // covered by /var's read (ReadDir is part of it)
            new PathRule("/var/cache", read, false),       // covered, but required: kept
            new PathRule("/etc", read, true),
            new PathRule("/etc", read, false),             // required wins when merged
        ]);
        merged.ShouldBe([
            new PathRule("/", LandlockRights.ReadDir, true),
            new PathRule("/var", read, true),
            new PathRule("/var/lib", read | write, true),
            new PathRule("/var/cache", read, false),
            new PathRule("/etc", read, false),
        ]);
    }

    [Fact]
    public void Split_OfTwoProfilePathsAroundTheSameSecret_MergesToTheRulesOfTheWiderOne()
    {
        var root = _dir.Combine("r");
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "app"));
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "secret"));
        Directory.CreateDirectory(Path.Combine(root, "usr"));
        var secrets = new[] { Path.Combine(root, "var", "lib", "secret") };
        var read = LandlockRights.Read;
        List<PathRule> both = [.. SandboxPlanner.WithoutSecrets(root, read, secrets, []), .. SandboxPlanner.WithoutSecrets(Path.Combine(root, "var"), read, secrets, [])];
        both.Count.ShouldBeGreaterThan(both.Select(r => r.Path).Distinct().Count()); // the duplicates this removes
        var merged = SandboxPlanner.Merge(both);
        merged.Select(r => r.Path).ShouldBe(merged.Select(r => r.Path).Distinct());
        merged.ShouldNotContain(r => r.Path.EndsWith("secret", StringComparison.Ordinal));
        merged.ShouldContain(r => r.Path == Path.Combine(root, "var", "lib", "app") && r.Access == read);
    }
}
