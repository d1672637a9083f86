using Shouldly;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Xunit;

namespace Volt.Workloads.Tests.Unit;

/// <summary>Names become paths, cgroup directories, nft comments and interface names: a trailing newline must not pass.</summary>
public sealed class NameGrammarTests
{
    [Theory]
    [InlineData("web\n")]
    [InlineData("web\r\n")]
    [InlineData("-web")]
    [InlineData("")]
    public void A_container_name_with_a_trailing_newline_or_a_bad_start_is_refused(string name)
    {
        ContainerName.IsValid(name).ShouldBeFalse();
        Should.Throw<VoltException>(() => ContainerName.Validate(name)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void A_plain_container_name_is_accepted() => ContainerName.IsValid("web-1.a_b").ShouldBeTrue();
}
