using System.Text.Json;
using System.Text.Json.Serialization;
using Shouldly;
using Volt.Core.Json;
using Volt.Sandbox;
using Volt.Workloads.Containers;
using Volt.Workloads.Health;
using Volt.Workloads.Model;
using Volt.Workloads.Tasks;
using Xunit;

namespace Volt.Workloads.Tests.Unit;

/// <summary>
/// The reflection-free enum converters write and read exactly what <see cref="JsonStringEnumConverter{TEnum}"/> did
/// with the enums' <c>[JsonStringEnumMemberName]</c> words: state files written before keep reading, and new ones are
/// byte for byte the same.
/// </summary>
public sealed class EnumWordsTests
{
    [Fact] public void WorkloadKind_words() => SameAsStock(new WorkloadKindJson());
    [Fact] public void WorkloadStatus_words() => SameAsStock(new WorkloadStatusJson());
    [Fact] public void ContainerStatus_words() => SameAsStock(new ContainerStatusJson());
    [Fact] public void UserNamespace_words() => SameAsStock(new UserNamespaceJson());
    [Fact] public void RestartPolicy_words() => SameAsStock(new RestartPolicyJson());
    [Fact] public void TaskResult_words() => SameAsStock(new TaskResultJson());
    [Fact] public void TaskTrigger_words() => SameAsStock(new TaskTriggerJson());
    [Fact] public void HealthStatus_words() => SameAsStock(new HealthStatusJson());
    [Fact] public void SandboxMode_words() => SameAsStock(new SandboxModeJson());

    [Fact]
    public void Whatever_the_stock_converter_reads_reads_the_same()
    {
        var mine = Options(new TaskResultJson());
        var stock = Options(new JsonStringEnumConverter<TaskResult>());
        var read = 0;
        foreach (var text in new[] { "\"SUCCESS\"", "\"success\"", "\"Skipped-Overlap\"", "\"skipped-overlap\"", "2", "\"1\"", "\"Failed\"" })
        {
            TaskResult expected;
            try { expected = JsonSerializer.Deserialize<TaskResult>(text, stock); }
            catch (JsonException) { continue; }
            JsonSerializer.Deserialize<TaskResult>(text, mine).ShouldBe(expected, text);
            read++;
        }
        read.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void An_unknown_word_is_a_json_error_as_with_the_stock_converter()
    {
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<RestartPolicy>("\"sometimes\"", Options(new RestartPolicyJson())));
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<RestartPolicy>("\"sometimes\"", Options(new JsonStringEnumConverter<RestartPolicy>())));
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<RestartPolicy>("true", Options(new RestartPolicyJson())));
    }

    [Fact]
    public void As_a_dictionary_key_the_word_is_written_and_read()
    {
        var map = new Dictionary<WorkloadKind, int> { [WorkloadKind.Container] = 1, [WorkloadKind.Vm] = 2 };
        var mine = Options(new WorkloadKindJson());
        var json = JsonSerializer.Serialize(map, mine);
        json.ShouldBe(JsonSerializer.Serialize(map, Options(new JsonStringEnumConverter<WorkloadKind>())));
        JsonSerializer.Deserialize<Dictionary<WorkloadKind, int>>(json, mine).ShouldBe(map);
    }

    /// <summary>The record a state file holds (through the source-generated context) carries the word, not a number.</summary>
    [Fact]
    public void A_state_record_through_its_generated_context_carries_the_words()
    {
        var json = JsonSerializer.Serialize(new ContainerState { Status = ContainerStatus.Restarting }, ContainerJson.Default.ContainerState);
        json.ShouldContain("\"status\": \"restarting\"");
        JsonSerializer.Deserialize(json, ContainerJson.Default.ContainerState)!.Status.ShouldBe(ContainerStatus.Restarting);
    }

    private static JsonSerializerOptions Options(JsonConverter c) => new() { Converters = { c } };

    private static void SameAsStock<T>(WordEnumConverter<T> mine) where T : struct, Enum
    {
        var a = Options(mine);
        var b = Options(new JsonStringEnumConverter<T>());
        foreach (var v in Enum.GetValues<T>())
        {
            var written = JsonSerializer.Serialize(v, a);
            written.ShouldBe(JsonSerializer.Serialize(v, b), v.ToString());
            JsonSerializer.Deserialize<T>(written, a).ShouldBe(v);
            JsonSerializer.Deserialize<T>(written, b).ShouldBe(v);
            mine.Word(v).ShouldBe(JsonSerializer.Deserialize<string>(written));
        }
    }
}
