using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Commands;

/// <summary>A command acting on several containers writes one audit line per name it acted on.</summary>
public sealed class AuditPerNameTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Deleting_two_containers_writes_two_audit_lines()
    {
        TestEnv.RequireRoot("create mounts the rootfs overlay");
        var image = _cli.Dir.Combine("img");
        Directory.CreateDirectory(Path.Combine(image, "bin"));
        File.WriteAllText(Path.Combine(image, "bin", "sh"), "");
        _cli.Run("container", "create", image, "--name", "a").Code.ShouldBe(0);
        _cli.Run("container", "create", image, "--name", "b").Code.ShouldBe(0);
        var r = _cli.Run("container", "delete", "a", "b");
        r.Code.ShouldBe(0, r.ToString());
        var lines = File.ReadAllLines(Path.Combine(_cli.Root, "var/log/volt/audit.log")).Where(l => l.Contains("container.delete")).ToList();
        lines.Count.ShouldBe(2, string.Join('\n', lines));
        lines[0].ShouldContain("\"a\"");
        lines[1].ShouldContain("\"b\"");
    }
}
