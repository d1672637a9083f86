using Shouldly;
using Volt.Core.Errors;
using Volt.Vms.Machines;
using Volt.Vms.Tests.Support;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary><c>volt vm create</c>'s checks (before anything is written) and the disks it makes, with real qemu-img and mke2fs.</summary>
[Collection(VmCollection.Name)]
public sealed class VmCreateTests(VmFixture fx)
{
    [Fact]
    public async Task AnUnknownKernelProfile_IsExit3_ListingTheProfiles_AndWritesNothing()
    {
        fx.Require();
        var e = await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest { Name = "nokernel", Image = VmFixture.Image, Kernel = "nosuch" }));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("minimal");
        Directory.Exists(fx.Engine.Store.Dir("nokernel")).ShouldBeFalse();
    }

    [Fact]
    public async Task MemoryOverTheHostsAvailable_IsExit11()
    {
        fx.Require();
        var avail = VmEngine.MemAvailable()!.Value;
        var e = await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest
        {
            Name = "huge", Image = VmFixture.Image, Kernel = "minimal", Memory = $"{(avail >> 20) + 1024}M",
        }));
        e.Code.ShouldBe(ExitCode.Resource);
        e.Message.ShouldContain("available");
        fx.Engine.Store.Exists("huge").ShouldBeFalse();
    }

    [Fact]
    public async Task ACorruptQcow2_IsRefusedWithQemuImgChecksFinding()
    {
        fx.Require();
        var good = Path.Combine(fx.Paths.Root, "good.qcow2");
        Testing.TestEnv.Run("qemu-img", "create", "-q", "-f", "qcow2", good, "64M").Code.ShouldBe(0);
        Testing.TestEnv.Run("qemu-io", "-c", "write -P 0x5a 0 4M", good).Code.ShouldBe(0);
        // Corrupt the first L2 table pointer's target: overwrite the refcount table offset region's data.
        var corrupt = Path.Combine(fx.Paths.Root, "corrupt.qcow2");
        File.Copy(good, corrupt);
        await using (var f = File.OpenWrite(corrupt))
        {
            f.Position = 0x30; // refcount_table_offset: point it into the data area
            f.Write([0, 0, 0, 0, 0, 0x05, 0, 0]);
        }
        var e = await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest { Name = "corrupt", Disk = corrupt }));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("refused");
        fx.Engine.Store.Exists("corrupt").ShouldBeFalse();

        var truncated = Path.Combine(fx.Paths.Root, "truncated.qcow2");
        var bytes = await File.ReadAllBytesAsync(good);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var t = await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest { Name = "truncated", Disk = truncated }));
        t.Code.ShouldBe(ExitCode.InvalidConfig);
        t.Message.ShouldContain("refused");
    }

    [Fact]
    public async Task TwoVmsOfOneImage_ShareOneBase_EachWithItsOwnOverlay()
    {
        fx.Require();
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "share1", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M", DiskSize = "1G" });
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "share2", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M" });
        var b1 = Backing(fx.Engine.Store.Disk("share1"));
        b1.ShouldBe(Backing(fx.Engine.Store.Disk("share2")));
        b1.ShouldEndWith("/vm-base.qcow2");
        new FileInfo(fx.Engine.Store.Disk("share1")).Length.ShouldBeLessThan(1 << 20);
        Testing.TestEnv.Run("qemu-img", "info", fx.Engine.Store.Disk("share1")).Out.ShouldContain("virtual size: 1 GiB");
        var e = await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest { Name = "share1", Image = VmFixture.Image, Kernel = "minimal" }));
        e.Code.ShouldBe(ExitCode.AlreadyExists);
        fx.Engine.Delete("share2");
        fx.Engine.Store.Exists("share2").ShouldBeFalse();
        File.Exists(b1).ShouldBeTrue();
    }

    [Fact]
    public async Task ACloudInitSeed_IsACidataIsoWithUserAndMetaData()
    {
        fx.Require();
        var ud = Path.Combine(fx.Paths.Root, "user-data.yaml");
        await File.WriteAllTextAsync(ud, "#cloud-config\nhostname: seeded\nruncmd:\n  - echo hi\n");
        await fx.Engine.CreateAsync(new VmCreateRequest { Name = "seeded", Image = VmFixture.Image, Kernel = "minimal", Memory = "128M", CloudInit = ud });
        var iso = fx.Engine.Store.Seed("seeded");
        Testing.TestEnv.Run("isoinfo", "-d", "-i", iso).Out.ShouldContain("Volume id: cidata");
        var files = Testing.TestEnv.Run("isoinfo", "-f", "-R", "-i", iso).Out;
        files.ShouldContain("/user-data");
        files.ShouldContain("/meta-data");
        Testing.TestEnv.Run("isoinfo", "-R", "-i", iso, "-x", "/meta-data").Out.ShouldContain("local-hostname: seeded");
        Testing.TestEnv.Run("isoinfo", "-R", "-i", iso, "-x", "/user-data").Out.ShouldContain("hostname: seeded");

        var bad = Path.Combine(fx.Paths.Root, "bad-user-data");
        await File.WriteAllTextAsync(bad, "hostname: x\n");
        (await Should.ThrowAsync<VoltException>(() => fx.Engine.CreateAsync(new VmCreateRequest { Name = "badseed", Image = VmFixture.Image, Kernel = "minimal", CloudInit = bad })))
            .Code.ShouldBe(ExitCode.InvalidConfig);
    }

    private static string Backing(string overlay)
    {
        var info = Testing.TestEnv.Run("qemu-img", "info", "-U", "--output=json", overlay).Out;
        return System.Text.Json.Nodes.JsonNode.Parse(info)!["backing-filename"]!.GetValue<string>();
    }
}
