using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Volt.Registry.Tests;

/// <summary>Reflection-based JSON for building test documents (tests are not trimmed).</summary>
internal static class TestJson
{
    public static readonly JsonSerializerOptions Options = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
}
