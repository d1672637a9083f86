using System.Text.Json;
using Shouldly;
using Volt.Compose.Loading;
using Volt.Compose.Model;
using Volt.Testing;

namespace Volt.Compose.Tests.Loading;

/// <summary>The compose files in ../shared/testdata/compose, parsed as they are; their resolved config is checked whole.</summary>
public sealed class TestdataConfigTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("nginx-flask-mysql")]
    [InlineData("react-java-mysql")]
    [InlineData("elasticsearch-logstash-kibana")]
    public void Config_of_each_testdata_stack_matches_its_expected_tree(string stack)
    {
        var dir = Path.Combine(TestEnv.TestData, "compose", stack);
        var model = StackLoader.Load(new LoadOptions { WorkingDir = dir, Environment = _ => null });
        var actual = ConfigRenderer.Render(model).ToJsonString(Indented).Replace(dir, "$PROJECT");
        var goldenFile = Path.Combine(AppContext.BaseDirectory, "Golden", stack + ".json");
        if (Environment.GetEnvironmentVariable("VOLT_UPDATE_GOLDEN") is { } target) File.WriteAllText(Path.Combine(target, stack + ".json"), actual + "\n");
        actual.ShouldBe(File.ReadAllText(goldenFile).TrimEnd('\n'));
    }
}
