using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Volt.Core.Json;

/// <summary>
/// An enum as a JSON string from a fixed table of words: writes and reads exactly what
/// <see cref="JsonStringEnumConverter{TEnum}"/> does for the same <c>[JsonStringEnumMemberName]</c> words (the word,
/// case-insensitive on reading, integers accepted), without its first-use reflection over the enum's fields and
/// attributes, which was a measured share of every short command's start-up (docs/decisions.md). One subclass per enum,
/// named on the enum with <c>[JsonConverter(typeof(…))]</c>; tests check each table against the reflection converter.
/// </summary>
public abstract class WordEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private readonly EnumWords<T> _table;

    /// <param name="table">Every value with its word, in any order.</param>
    protected WordEnumConverter(params (T Value, string Word)[] table) : this(new EnumWords<T>(table)) { }

    /// <param name="words">The enum's table, shared with readers that need no converter (<see cref="EnumWords{T}"/>).</param>
    protected WordEnumConverter(EnumWords<T> words) => _table = words;

    /// <summary>The table this converter writes and reads.</summary>
    public EnumWords<T> Words => _table;

    /// <summary>The word of <paramref name="value"/> (its number for a value outside the table, as the stock converter).</summary>
    public string Word(T value) => _table.Word(value);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n)) return _table.FromNumber(n);
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a string for {typeof(T).Name}");
        return _table.Read(ref reader);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => _table.Write(writer, value);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => _table.Read(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(Word(value));
}

/// <summary>
/// An enum's table of words — what its <see cref="WordEnumConverter{T}"/> writes and reads — usable without a converter:
/// a <see cref="JsonConverter"/>'s constructor asks for its own type's assembly by reflection, which starts Native AOT's
/// reflection runtime (the listings read records without the serializer and take the words from here).
/// </summary>
public sealed class EnumWords<T> where T : struct, Enum
{
    private readonly T[] _values;
    private readonly string[] _words;
    private readonly byte[][] _utf8;

    /// <param name="table">Every value with its word, in any order.</param>
    public EnumWords(params (T Value, string Word)[] table)
    {
        if (Unsafe.SizeOf<T>() != sizeof(int)) throw new InvalidOperationException($"{typeof(T).Name}: only int-sized enums");
        _values = new T[table.Length];
        _words = new string[table.Length];
        _utf8 = new byte[table.Length][];
        for (var i = 0; i < table.Length; i++)
        {
            _values[i] = table[i].Value;
            _words[i] = table[i].Word;
            _utf8[i] = Encoding.UTF8.GetBytes(table[i].Word);
        }
    }

    /// <summary>The word of <paramref name="value"/> (its number for a value outside the table, as the stock converter).</summary>
    public string Word(T value)
    {
        for (var i = 0; i < _values.Length; i++)
            if (EqualityComparer<T>.Default.Equals(_values[i], value)) return _words[i];
        return Unsafe.As<T, int>(ref value).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The value of a word as the converter reads it (any case, or a number in a string); JsonException otherwise.</summary>
    public T FromWord(string text)
    {
        for (var i = 0; i < _words.Length; i++)
            if (string.Equals(_words[i], text, StringComparison.Ordinal)) return _values[i];
        return Parse(text);
    }

    /// <summary>The value of a JSON number, as the converter reads it.</summary>
    public T FromNumber(int n) => Unsafe.As<int, T>(ref n);

    internal T Read(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _utf8.Length; i++)
            if (reader.ValueTextEquals(_utf8[i])) return _values[i];
        return Parse(reader.GetString()!);
    }

    internal void Write(Utf8JsonWriter writer, T value)
    {
        for (var i = 0; i < _values.Length; i++)
            if (EqualityComparer<T>.Default.Equals(_values[i], value)) { writer.WriteStringValue(_utf8[i]); return; }
        writer.WriteNumberValue(Unsafe.As<T, int>(ref value));
    }

    /// <summary>A word in another case, or a number: what the stock converter also accepts.</summary>
    private T Parse(string text)
    {
        for (var i = 0; i < _words.Length; i++)
            if (string.Equals(_words[i], text, StringComparison.OrdinalIgnoreCase)) return _values[i];
        if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n))
            return Unsafe.As<int, T>(ref n);
        throw new JsonException($"\"{text}\" is not a {typeof(T).Name} (expected {string.Join(", ", _words)})");
    }
}
