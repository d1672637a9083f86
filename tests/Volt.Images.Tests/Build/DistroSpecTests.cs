using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Build;
using Xunit;

namespace Volt.Images.Tests.Build;

public sealed class DistroSpecTests
{
    private static DistroSpec Parse(string from, string[] include, string? variant = null, string? mirror = null, string? host = "http://mirror.example/debian") =>
        DistroSpec.Parse(from, include, variant, mirror, null, "amd64", host);

    [Fact]
    public void SameInputs_InAnyOrder_HaveOneCacheKey()
    {
        var a = Parse("debian:bookworm", ["gcc,libc6-dev", "make"]);
        var b = Parse("debian:bookworm", ["make", "libc6-dev", "gcc", "gcc"]);
        a.CacheKey.ShouldBe(b.CacheKey);
        a.Include.ShouldBe(["gcc", "libc6-dev", "make"]);
        Parse("debian:trixie", ["gcc,libc6-dev,make"]).CacheKey.ShouldNotBe(a.CacheKey);
        Parse("debian:bookworm", ["gcc,libc6-dev,make"], "buildd").CacheKey.ShouldNotBe(a.CacheKey);
    }

    [Fact]
    public void Debian_DefaultsToTheHostMirror_ThenDebDebianOrg_UbuntuToArchive()
    {
        Parse("debian:bookworm", []).Mirror.ShouldBe("http://mirror.example/debian");
        Parse("debian:bookworm", [], host: null).Mirror.ShouldBe(AptSources.DebianDefault);
        Parse("ubuntu:noble", []).Mirror.ShouldBe(AptSources.UbuntuDefault);
        Parse("debian:bookworm", [], mirror: "http://other/debian/").Mirror.ShouldBe("http://other/debian");
        Parse("debian:bookworm", []).Variant.ShouldBe("minbase");
    }

    [Theory]
    [InlineData("bookworm", "expected DISTRO:SUITE")]
    [InlineData("fedora:40", "unknown distribution")]
    [InlineData("debian:Bookworm!", "not a suite name")]
    public void BadFrom_IsAUsageError(string from, string problem)
    {
        var e = Should.Throw<VoltException>(() => Parse(from, []));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldContain(problem);
    }

    [Fact]
    public void BadPackage_Variant_Mirror_AreUsageErrors()
    {
        Should.Throw<VoltException>(() => Parse("debian:bookworm", ["gcc;rm -rf /"])).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => Parse("debian:bookworm", [], "tiny")).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => Parse("debian:bookworm", [], mirror: "ftp://x")).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void AptSources_FindTheMainArchive_InBothFormats()
    {
        AptSources.FromOneLine("# c\ndeb http://security.debian.org/debian-security bookworm-security main\ndeb [arch=amd64] http://ftp.de.debian.org/debian/ bookworm main\n")
            .ShouldBe("http://ftp.de.debian.org/debian");
        AptSources.FromDeb822("Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.local/debian\nSuites: bookworm bookworm-updates\nComponents: main\n")
            .ShouldBe("http://mirror.local/debian");
        AptSources.FromDeb822("Types: deb\nURIs: http://mirror.local/debian\nSuites: bookworm\nEnabled: no\n").ShouldBeNull();
    }
}
