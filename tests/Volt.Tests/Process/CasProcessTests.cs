using System.Diagnostics;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Process;

/// <summary>The real volt binary as separate processes: kill -9, concurrency, full disks, unreadable files.</summary>
public sealed class CasProcessTests : IDisposable
{
    private readonly TempDir _dir = new("volt-proc");
    private string Root => _dir.Combine("root");

    public void Dispose() => _dir.Dispose();

    private string MakeTree(string name, int files, int largeMiB, int seed)
    {
        var rnd = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            var data = new byte[rnd.Next(100, 20_000)];
            rnd.NextBytes(data);
            _dir.Write($"{name}/d{i % 17}/f{i}", data);
        }
        if (largeMiB > 0)
        {
            var big = new byte[largeMiB << 20];
            rnd.NextBytes(big);
            _dir.Write($"{name}/large.bin", big);
        }
        return _dir.Combine(name);
    }

    private static System.Diagnostics.Process Start(string root, params string[] args)
    {
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = root;
        psi.Environment["VOLT_COLOR"] = "never";
        return System.Diagnostics.Process.Start(psi)!;
    }

    [Fact]
    public void Build_KilledWithSigkillAtRandomPoints_LeavesAStoreThatVerifiesAndARerunCompletes()
    {
        var tree = MakeTree("tree", 600, 24, 1);
        var rnd = new Random(42);
        for (var round = 0; round < 12; round++)
        {
            using var p = Start(Root, "cas", "build", tree, "--ref", "images/t");
            Thread.Sleep(rnd.Next(20, 900));
            try { p.Kill(); } catch (InvalidOperationException) { /* already finished */ }
            p.WaitForExit();
            var v = VoltBinary.Run(Root, "cas", "verify", "-o", "json");
            v.Code.ShouldBe(0, $"round {round}: {v.Out}{v.Err}");
            // A kill before the store was first created leaves no store at all: nothing to look into then.
            var tmp = Path.Combine(Root, "var/lib/volt/cas/tmp");
            if (Directory.Exists(tmp)) Directory.GetFiles(tmp).ShouldBeEmpty($"round {round}");
            var objects = Path.Combine(Root, "var/lib/volt/cas/objects");
            if (Directory.Exists(objects)) Directory.GetFiles(objects, "*.part", SearchOption.AllDirectories).ShouldBeEmpty($"round {round}");
        }
        var done = VoltBinary.Run(Root, "cas", "build", tree, "--ref", "images/t", "-o", "json");
        done.Code.ShouldBe(0, done.Err);
        JsonNode.Parse(done.Out)!["files"]!.GetValue<long>().ShouldBe(601);
        VoltBinary.Run(Root, "cas", "verify").Code.ShouldBe(0);
    }

    [Fact]
    public void Build_TwoProcessesOnOverlappingTrees_BothSucceedAndSharedObjectsAreStoredOnce()
    {
        var a = MakeTree("a", 400, 0, 7);
        Directory.CreateDirectory(_dir.Combine("b"));
        foreach (var f in Directory.GetFiles(a, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(a, f);
            _dir.Write(Path.Combine("b", "copy-" + rel.Replace('/', '_')), File.ReadAllBytes(f));
        }
        _dir.Write("b/own", "only in b");
        using var p1 = Start(Root, "cas", "build", a, "--ref", "images/a");
        using var p2 = Start(Root, "cas", "build", _dir.Combine("b"), "--ref", "images/b");
        p1.WaitForExit();
        p2.WaitForExit();
        p1.ExitCode.ShouldBe(0, p1.StandardError.ReadToEnd());
        p2.ExitCode.ShouldBe(0, p2.StandardError.ReadToEnd());
        var status = JsonNode.Parse(VoltBinary.Run(Root, "cas", "status", "-o", "json").Out)!;
        var unique = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))).Distinct().Count();
        status["objects"]!.GetValue<long>().ShouldBe(unique + 1 + 2); // shared contents + "only in b" + two manifests
        VoltBinary.Run(Root, "cas", "verify").Code.ShouldBe(0);
    }

    [Fact]
    public void Audit_TwoProcessesAppendingAtOnce_NeverInterleaveOrLoseALine()
    {
        var file = _dir.Write("f", "x");
        var procs = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            for (var j = 0; j < 8; j++) VoltBinary.Run(Root, "cas", "put", file, "--ref", $"blobs/p{i}-{j}").Code.ShouldBe(0);
        })).ToArray();
        Task.WaitAll(procs);
        var lines = File.ReadAllLines(Path.Combine(Root, "var/log/volt/audit.log"));
        lines.Length.ShouldBe(48);
        lines.ShouldAllBe(l => l.StartsWith('{') && l.EndsWith('}'));
        VoltBinary.Run(Root, "audit", "verify").Code.ShouldBe(0);
    }

    [Fact]
    public void Build_OnAFullDisk_FailsClearlyAndLeavesNoPartialObject()
    {
        TestEnv.RequireRoot("mounting a small tmpfs as VOLT_ROOT");
        var tree = MakeTree("tree", 50, 6, 3);
        var mnt = _dir.Combine("tiny");
        Directory.CreateDirectory(mnt);
        TestEnv.Run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt).Code.ShouldBe(0);
        try
        {
            var r = VoltBinary.Run(mnt, "cas", "build", tree, "--ref", "images/t");
            r.Code.ShouldBe(11, r.Err); // ERR_RESOURCE
            r.Err.ShouldContain("no space left on device");
            Directory.GetFiles(Path.Combine(mnt, "var/lib/volt/cas"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
            Directory.Exists(Path.Combine(mnt, "var/lib/volt/cas/refs/images")).ShouldBeFalse();
            VoltBinary.Run(mnt, "cas", "verify").Code.ShouldBe(0);
        }
        finally
        {
            TestEnv.Run("umount", mnt);
        }
    }

    [Fact]
    public void Build_WithAnUnreadableFile_NamesItAndStoresNothing()
    {
        var tree = MakeTree("tree", 20, 0, 5);
        var secret = _dir.Write("tree/secret.key", "top secret");
        File.SetUnixFileMode(secret, UnixFileMode.None);
        (int Code, string Out, string Err) r;
        if (TestEnv.IsRoot)
        {
            // Root reads everything: run volt as nobody, with a root it may write.
            Directory.CreateDirectory(Root);
            TestEnv.Run("chown", "-R", "65534:65534", Root).Code.ShouldBe(0);
            TestEnv.Run("chmod", "755", _dir.Path).Code.ShouldBe(0);
            r = TestEnv.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", VoltBinary.Path, "cas", "build", tree, "--ref", "images/t"],
                new Dictionary<string, string> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" }, null);
        }
        else
        {
            r = VoltBinary.Run(Root, "cas", "build", tree, "--ref", "images/t");
        }
        r.Code.ShouldBe(5, r.Err); // ERR_PERMISSION
        r.Err.ShouldContain("secret.key");
        var objects = Path.Combine(Root, "var/lib/volt/cas/objects");
        (Directory.Exists(objects) ? Directory.GetFiles(objects, "*", SearchOption.AllDirectories) : []).ShouldBeEmpty();
        Directory.GetFiles(Path.Combine(Root, "var/lib/volt/cas"), "*.part", SearchOption.AllDirectories).ShouldBeEmpty();
    }
}
