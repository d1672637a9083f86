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
}
