using Shouldly;
using Volt.Core.Errors;
using Xunit;

namespace Volt.Network.Tests.Unit;

/// <summary>Network and interface names become bridge names and nft comments: a trailing newline must not pass.</summary>
public sealed class NameGrammarTests
{
    [Theory]
    [InlineData("net\n")]
    [InlineData("Net")]
    public void A_network_name_with_a_trailing_newline_is_refused(string name) =>
        Should.Throw<VoltException>(() => NetNames.ValidateNetwork(name)).Code.ShouldBe(ExitCode.Usage);

    [Fact]
    public void An_interface_name_with_a_trailing_newline_is_refused() =>
        Should.Throw<VoltException>(() => NetNames.ValidateInterface("veth0\n")).Code.ShouldBe(ExitCode.Usage);
}
