using System.Text;
using Microsoft.AspNetCore.Http;

namespace Volt.Daemon;

/// <summary>
/// A route's path template, e.g. <c>/v1/workloads/{kind}/{name}/stop?timeout={timeout}</c>: literal segments,
/// <c>{param}</c> segments (required), and query entries that are either a literal the request must carry
/// (<c>?start=1</c>) or an optional <c>{param}</c>. The server matches a request path against it without allocating
/// for routes that do not match; the client formats one from argument values (escaped).
/// </summary>
public sealed class RouteTemplate
{
    private readonly string?[] _segments;      // literal text, or null for a parameter
    private readonly int[] _segmentParam;      // parameter index of each parameter segment (-1 for literals)
    private readonly QueryEntry[] _query;
    private readonly string[] _parameters;

    private readonly record struct QueryEntry(string Key, string? Literal, int Param);

    private RouteTemplate(string text, string?[] segments, int[] segmentParam, QueryEntry[] query, string[] parameters)
    {
        Text = text;
        _segments = segments;
        _segmentParam = segmentParam;
        _query = query;
        _parameters = parameters;
    }

    public string Text { get; }

    /// <summary>The parameter names in template order (path segments first, then query parameters).</summary>
    public IReadOnlyList<string> Parameters => _parameters;

    /// <summary>The path part without the query, e.g. <c>/v1/workloads/{kind}</c>.</summary>
    public string Path => Text.Split('?')[0];

    public override string ToString() => Text;

    public static RouteTemplate Parse(string text)
    {
        if (!text.StartsWith('/')) throw new ArgumentException($"route template \"{text}\" must start with /", nameof(text));
        var q = text.IndexOf('?');
        var path = q < 0 ? text : text[..q];
        var parameters = new List<string>();
        var parts = path.Trim('/').Split('/', StringSplitOptions.None);
        var segments = new string?[parts.Length];
        var segmentParam = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0) throw new ArgumentException($"route template \"{text}\" has an empty segment", nameof(text));
            if (ParamName(parts[i]) is { } p)
            {
                if (parameters.Contains(p)) throw new ArgumentException($"route template \"{text}\" repeats {{{p}}}", nameof(text));
                segmentParam[i] = parameters.Count;
                parameters.Add(p);
            }
            else
            {
                if (parts[i].AsSpan().IndexOfAny('{', '}') >= 0) throw new ArgumentException($"route template \"{text}\": bad segment \"{parts[i]}\"", nameof(text));
                segments[i] = parts[i];
                segmentParam[i] = -1;
            }
        }
        var query = new List<QueryEntry>();
        if (q >= 0)
            foreach (var entry in text[(q + 1)..].Split('&'))
            {
                var kv = entry.Split('=', 2);
                if (kv.Length != 2 || kv[0].Length == 0 || kv[1].Length == 0)
                    throw new ArgumentException($"route template \"{text}\": query entry \"{entry}\" is not key=value", nameof(text));
                if (ParamName(kv[1]) is { } p)
                {
                    if (parameters.Contains(p)) throw new ArgumentException($"route template \"{text}\" repeats {{{p}}}", nameof(text));
                    query.Add(new QueryEntry(kv[0], null, parameters.Count));
                    parameters.Add(p);
                }
                else query.Add(new QueryEntry(kv[0], kv[1], -1));
            }
        return new RouteTemplate(text, segments, segmentParam, [.. query], [.. parameters]);
    }

    private static string? ParamName(string s) => s.Length > 2 && s[0] == '{' && s[^1] == '}' ? s[1..^1] : null;

    /// <summary>Whether the two templates can match the same path (same segment count, no literal differs).</summary>
    public bool Overlaps(RouteTemplate other)
    {
        if (_segments.Length != other._segments.Length) return false;
        for (var i = 0; i < _segments.Length; i++)
            if (_segments[i] is { } a && other._segments[i] is { } b && a != b) return false;
        // Literal query entries tell routes of one path apart (POST /v1/containers?start=1 vs a future ?start=0).
        foreach (var e in _query)
            if (e.Literal is not null && other._query.Any(o => o.Key == e.Key && o.Literal is not null && o.Literal != e.Literal)) return false;
        return true;
    }

    /// <summary>
    /// Matches a request path (as Kestrel decoded it) and query. <paramref name="values"/> holds one value per
    /// <see cref="Parameters"/> entry (null for an absent optional query parameter).
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> path, IQueryCollection query, out string?[] values)
    {
        values = [];
        var rest = path.Trim('/');
        var count = rest.IsEmpty ? 0 : rest.Count('/') + 1;
        if (count != _segments.Length) return false;
        // First pass: literals only, so a route that does not match allocates nothing.
        var scan = rest;
        for (var i = 0; i < _segments.Length; i++)
        {
            var slash = scan.IndexOf('/');
            var segment = slash < 0 ? scan : scan[..slash];
            if (_segments[i] is { } literal ? !segment.SequenceEqual(literal) : segment.IsEmpty) return false;
            scan = slash < 0 ? default : scan[(slash + 1)..];
        }
        foreach (var e in _query)
            if (e.Literal is not null && query[e.Key] != e.Literal) return false;
        if (_parameters.Length == 0) return true;
        values = new string?[_parameters.Length];
        for (var i = 0; i < _segments.Length; i++)
        {
            var slash = rest.IndexOf('/');
            if (_segmentParam[i] >= 0) values[_segmentParam[i]] = (slash < 0 ? rest : rest[..slash]).ToString();
            rest = slash < 0 ? default : rest[(slash + 1)..];
        }
        foreach (var e in _query)
            if (e.Param >= 0 && query.TryGetValue(e.Key, out var v) && v.Count > 0) values[e.Param] = v[0];
        return true;
    }

    /// <summary>
    /// The request target for <paramref name="values"/> (one per <see cref="Parameters"/> entry): path parameters are
    /// required and escaped; query parameters with a null value are left out.
    /// </summary>
    public string Format(IReadOnlyList<string?> values)
    {
        if (values.Count != _parameters.Length)
            throw new ArgumentException($"route {Text} takes {_parameters.Length} argument(s), got {values.Count}", nameof(values));
        var sb = new StringBuilder(Text.Length + 32);
        for (var i = 0; i < _segments.Length; i++)
        {
            sb.Append('/');
            if (_segments[i] is { } literal) sb.Append(literal);
            else sb.Append(Uri.EscapeDataString(values[_segmentParam[i]] is { Length: > 0 } v ? v
                : throw new ArgumentException($"route {Text}: {{{_parameters[_segmentParam[i]]}}} is required", nameof(values))));
        }
        var first = true;
        foreach (var e in _query)
        {
            var value = e.Literal ?? values[e.Param];
            if (value is null) continue;
            sb.Append(first ? '?' : '&').Append(Uri.EscapeDataString(e.Key)).Append('=').Append(e.Literal ?? Uri.EscapeDataString(value));
            first = false;
        }
        return sb.ToString();
    }
}
