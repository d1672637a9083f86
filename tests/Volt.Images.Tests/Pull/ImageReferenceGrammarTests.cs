using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Oci;
using Xunit;

namespace Volt.Images.Tests.Pull;

/// <summary>The repository and tag grammars are anchored at the very end: `$` also matched before a final newline.</summary>
public sealed class ImageReferenceGrammarTests
{
    [Theory]
    [InlineData("app\n")]
    [InlineData("app:v1\n")]
    [InlineData("localhost:5000/team/app\n:v1")]
    [InlineData("team/app\n")]
    public void Parse_WithATrailingNewline_IsAUsageError(string text) =>
        Should.Throw<VoltException>(() => ImageReference.Parse(text)).Code.ShouldBe(ExitCode.Usage);

    [Fact]
    public void Parse_AValidReference_StillParses() =>
        ImageReference.Parse("localhost:5000/team/app:v1").Tag.ShouldBe("v1");
}
