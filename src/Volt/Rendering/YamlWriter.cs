using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Volt.Rendering;

/// <summary>JSON tree → YAML through YamlDotNet's event emitter (no reflection, AOT-safe).</summary>
public static class YamlWriter
{
    public static string Write(JsonNode? node)
    {
        var sw = new StringWriter();
        var emitter = new Emitter(sw);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return sw.ToString();
    }

    private static void Emit(IEmitter e, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                e.Emit(new MappingStart());
                foreach (var (k, v) in obj) { Scalar(e, k, quoteIfAmbiguous: true); Emit(e, v); }
                e.Emit(new MappingEnd());
                break;
            case JsonArray arr:
                e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var v in arr) Emit(e, v);
                e.Emit(new SequenceEnd());
                break;
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                Scalar(e, s, quoteIfAmbiguous: true);
                break;
            case JsonValue v when v.TryGetValue<bool>(out var b):
                e.Emit(new Scalar(null, null, b ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            default:
                e.Emit(new Scalar(null, null, node.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static void Scalar(IEmitter e, string s, bool quoteIfAmbiguous)
    {
        var ambiguous = s.Length == 0 || s is "null" or "true" or "false" or "yes" or "no" or "on" or "off" or "~"
            || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        var style = quoteIfAmbiguous && ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        e.Emit(new Scalar(null, null, s, style, true, true));
    }
}
