using System.Diagnostics;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Process;

public sealed class InterruptTests
{
    [Fact]
    public void Build_InterruptedBySigint_Exits13AndLeavesNoStagedFiles()
    {
        using var dir = new TempDir("volt-int");
        var big = new byte[256 << 20];
        new Random(9).NextBytes(big);
        dir.Write("tree/big.bin", big);
        var root = dir.Combine("root");
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "cas", "build", dir.Combine("tree") }) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = root;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var cas = Path.Combine(root, "var/lib/volt/cas");
        bool Staged() => Directory.Exists(cas) && Directory.GetFiles(cas, "*.part", SearchOption.AllDirectories).Length > 0;
        while (!Staged() && DateTime.UtcNow < deadline && !p.HasExited) Thread.Sleep(5);
        TestEnv.Run("kill", "-INT", p.Id.ToString()).Code.ShouldBe(0);
        p.WaitForExit();
        var err = p.StandardError.ReadToEnd();
        p.ExitCode.ShouldBe(13, err);
        Staged().ShouldBeFalse();
        Directory.Exists(Path.Combine(root, "var/lib/volt/cas/refs/images")).ShouldBeFalse();
    }
}
