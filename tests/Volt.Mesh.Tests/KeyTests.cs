using Shouldly;
using Volt.Mesh.Crypto;
using Volt.Testing;
using Xunit;

namespace Volt.Mesh.Tests;

public sealed class KeyTests
{
    [Fact]
    public void X25519_MatchesRfc7748Vectors()
    {
        // RFC 7748 section 5.2, first vector, and section 6.1 (Alice's key pair).
        var k = Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        var u = Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        Convert.ToHexStringLower(X25519.ScalarMult(k, u)).ShouldBe("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        var alice = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        Convert.ToHexStringLower(X25519.PublicKey(alice)).ShouldBe("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    }

    [Fact]
    public void PublicKey_AgreesWithWgPubkey()
    {
        TestEnv.RequireTool("wg");
        var priv = X25519.NewPrivateKey();
        var (code, stdout, _) = TestEnv.Run("wg", ["pubkey"], null, WgKey.ToBase64(priv) + "\n");
        code.ShouldBe(0);
        stdout.Trim().ShouldBe(WgKey.ToBase64(X25519.PublicKey(priv)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void MalformedKeys_AreNotKeys(string text) => WgKey.IsValid(text).ShouldBeFalse();

    [Fact]
    public void AKeyRoundTripsThroughHex()
    {
        var pub = WgKey.ToBase64(X25519.PublicKey(X25519.NewPrivateKey()));
        WgKey.TryParse(pub, out var k).ShouldBeTrue();
        WgKey.FromHex(WgKey.ToHex(k)).ShouldBe(pub);
    }
}
