using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Network.Addressing;
using Volt.Network.Ipam;
using Volt.Network.State;
using Volt.Testing;
using Xunit;

namespace Volt.Network.Tests.Unit;

/// <summary>Pinned addresses (compose's <c>ipv4_address</c>): the owner's across exits, nobody else's, until unpinned.</summary>
public sealed class IpAllocatorPinTests : IDisposable
{
    private readonly TempDir _dir = new("volt-ipam-pin");
    private readonly NetworkStore _store;

    public IpAllocatorPinTests() => _store = new NetworkStore(new VoltPaths(_dir.Path));

    public void Dispose() => _dir.Dispose();

    private IpAllocator New() => new(_store, "n1", Ipv4Cidr.Parse("10.0.0.0/24"));

    [Fact]
    public void A_pinned_address_is_the_owners_after_every_release_and_never_another_owners()
    {
        var ipam = New();
        ipam.Claim("web", "10.0.0.2").ShouldBeNull();
        ipam.Allocate("other").Address.ShouldBe("10.0.0.3", "the pinned .2 is skipped although it is the lowest free");
        ipam.Allocate("web").Address.ShouldBe("10.0.0.2");
        ipam.Release("web").ShouldBeTrue();
        ipam.Allocate("late").Address.ShouldBe("10.0.0.4", "a released pin is still not free for others");
        New().Allocate("web").Address.ShouldBe("10.0.0.2", "persisted: the restart after an exit gets it back");
        ipam.Unpin("web").ShouldBeTrue();
        ipam.Unpin("web").ShouldBeFalse();
        ipam.Release("web");
        ipam.Allocate("next").Address.ShouldBe("10.0.0.2");
    }

    [Fact]
    public void Claiming_an_address_another_owner_holds_or_pins_names_it_and_changes_nothing()
    {
        var ipam = New();
        ipam.Allocate("squatter").Address.ShouldBe("10.0.0.2");
        ipam.Claim("web", "10.0.0.2").ShouldBe("squatter");
        ipam.Claim("db", "10.0.0.9").ShouldBeNull();
        ipam.Claim("web", "10.0.0.9").ShouldBe("db");
        ipam.Allocate("web").Address.ShouldBe("10.0.0.3", "web pinned nothing");
        ipam.Claim("db", "10.0.0.9").ShouldBeNull("claiming one's own pin again is fine");
    }

    [Theory]
    [InlineData("10.0.1.5")]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.255")]
    [InlineData("not-an-ip")]
    public void Addresses_that_are_not_free_hosts_of_the_subnet_are_exit_12(string address) =>
        Should.Throw<VoltException>(() => New().Claim("web", address)).Code.ShouldBe(ExitCode.InvalidConfig);
}
