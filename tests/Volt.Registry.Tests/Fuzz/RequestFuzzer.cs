using System.Text;

namespace Volt.Registry.Tests.Fuzz;

/// <summary>One generated request and what it aims at (for the failure message).</summary>
public sealed record FuzzRequest(string Kind, byte[] Bytes, string Summary, bool Abandon = false);

/// <summary>
/// A seeded generator of malformed (and some well-formed) registry traffic: names with control characters, %0A,
/// %00 and unicode; broken digests; mutated manifest JSON; chunked bodies with bad size lines; huge headers; token
/// forms over their limits. The same seed gives the same requests.
/// </summary>
public sealed class RequestFuzzer(int seed, string pushToken, string configDigest, string layerDigest)
{
    private readonly Random _rng = new(seed);

    private static readonly string[] Names = ["app", "team/web", "a", "a-b.c_d", "x/y/z", "fuzz"];
    private static readonly string[] NameMutations =
        ["%0A", "%0D%0A", "%00", "%09", "%7F", "%C3%A9", "%E2%80%8B", "%FF", "/", "..", "/_tags", "A", "%2F..%2F", "-", "__", "%20", "\u00e9"];
    private static readonly string[] Tags = ["v1", "latest", "_x", "1.0"];
    private static readonly string[] TagMutations = ["%0A", "%00", "!", "%C3%A9", "-", ".", "%20", ":", "%0D", new string('t', 200)];

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];
    private bool Chance(int percent) => _rng.Next(100) < percent;

    public string Name()
    {
        var n = Pick(Names);
        if (Chance(70))
        {
            var m = Pick(NameMutations);
            n = _rng.Next(3) switch { 0 => n + m, 1 => m + n, _ => n.Insert(_rng.Next(n.Length + 1), m) };
        }
        if (Chance(5)) n = string.Join('/', Enumerable.Repeat("abcdefgh", 40));
        return n;
    }

    private string Tag()
    {
        var t = Pick(Tags);
        return Chance(60) ? t + Pick(TagMutations) : t;
    }

    public string Digest()
    {
        var hex = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        return _rng.Next(12) switch
        {
            0 => "sha256:bad",
            1 => "sha256:" + hex.ToUpperInvariant(),
            2 => "sha256:" + hex + "%0A",
            3 => "md5:" + hex[..32],
            4 => "blake3:" + hex,
            5 => "sha256:" + hex[..63],
            6 => "sha512:" + hex,
            7 => "",
            8 => "sha256:" + hex + "0",
            9 => configDigest,
            10 => layerDigest,
            _ => "sha256:" + hex,
        };
    }

    /// <summary>A valid manifest naming the fixture's blobs, then zero or more mutations.</summary>
    public byte[] Manifest()
    {
        var json = $"{{\"schemaVersion\":SV,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":14}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{layerDigest}\",\"size\":SIZE}}],\"annotations\":{{\"KEY\":\"VALUE\"}}}}";
        json = json.Replace("SV", Chance(60) ? "2" : Pick(new[] { "1", "1.0", "1.5", "2147483648", "1e10", "-1", "\"2\"", "null", "2.0", "99999999999999999999" }));
        json = json.Replace("SIZE", Chance(70) ? "100" : Pick(new[] { "-1", "1e400", "9223372036854775808", "\"100\"", "0.5" }));
        json = json.Replace("KEY", Chance(80) ? "k" : Pick(new[] { "\\ud800", "\\udc00x", "\\u0000", "\\\"" }));
        json = json.Replace("VALUE", Chance(80) ? "v" : Pick(new[] { "\\ud800", "\\uDFFF\\uD800", "\\u0000", new string('v', 5000) }));
        var bytes = Encoding.UTF8.GetBytes(json);
        var mutations = Chance(40) ? 0 : _rng.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            switch (_rng.Next(7))
            {
                case 0: bytes = bytes[..Math.Max(1, _rng.Next(bytes.Length))]; break;
                case 1: bytes = [.. bytes, .. Encoding.ASCII.GetBytes(Pick(new[] { "xxx", "{}", " ]", "\n,", "\0" }))]; break;
                case 2: bytes[_rng.Next(bytes.Length)] = (byte)_rng.Next(256); break;
                case 3: { var at = _rng.Next(bytes.Length); bytes = [.. bytes[..at], 0xc3, 0x28, .. bytes[at..]]; break; }
                case 4: { var at = _rng.Next(bytes.Length); bytes = [.. bytes[..at], 0xff, .. bytes[at..]]; break; }
                case 5: bytes = Encoding.ASCII.GetBytes(new string('[', 200) + new string(']', 200)); break;
                default: bytes = Encoding.ASCII.GetBytes("{\"manifests\":[{\"digest\":\"" + Digest() + "\",\"size\":1}]}"); break;
            }
        }
        return bytes;
    }

    private string Auth() => Chance(85) ? $"Authorization: Bearer {pushToken}" : Pick(new[]
    {
        "Authorization: Bearer garbage", "Authorization: Basic !!!!", "Authorization: Basic " + Convert.ToBase64String("u:x.y"u8.ToArray()),
        "Authorization: Bearer " + pushToken[..^2], "Authorization: Negotiate abc", "X-None: 1",
    });

    private static byte[] Raw(string method, string target, IEnumerable<string> headers, byte[]? body, bool chunked = false)
    {
        var sb = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var h in headers) sb.Append(h).Append("\r\n");
        if (chunked) sb.Append("Transfer-Encoding: chunked\r\n");
        else sb.Append($"Content-Length: {body?.Length ?? 0}\r\n");
        sb.Append("\r\n");
        return [.. Encoding.UTF8.GetBytes(sb.ToString()), .. body ?? []];
    }

    private byte[] ChunkedBody(byte[] data)
    {
        var size = Chance(50) ? data.Length.ToString("x") : Pick(new[] { "80000000", "ffffffff", "zz", "-1", "10000000000000000", "1;ext=1", "", " 3" });
        return [.. Encoding.ASCII.GetBytes($"{size}\r\n"), .. data, .. "\r\n0\r\n\r\n"u8];
    }

    public FuzzRequest Next(string? sessionLocation)
    {
        var kind = _rng.Next(10);
        switch (kind)
        {
            case 0:
            {
                var target = $"/v2/{Name()}/blobs/uploads/" + Pick(new[] { "", $"?digest={Digest()}", $"?mount={Digest()}&from={Name()}", $"?mount={Digest()}", "?digest=" });
                var body = Chance(50) ? Encoding.ASCII.GetBytes("hello fuzz") : null;
                return new("upload-start", Raw("POST", target, [Auth()], body), $"POST {target}");
            }
            case 1:
            {
                var target = sessionLocation ?? $"/v2/{Name()}/blobs/uploads/{Guid.NewGuid():N}";
                var data = Encoding.ASCII.GetBytes("chunk-data");
                var headers = new List<string> { Auth(), "Content-Type: application/octet-stream" };
                if (Chance(30)) headers.Add("Content-Range: " + Pick(new[] { "0-9", "5-1", "abc", "-1-3", "99999999999999999999-1", "bytes=0-9" }));
                var chunked = Chance(60);
                return new("patch", Raw("PATCH", target, headers, chunked ? ChunkedBody(data) : data, chunked), $"PATCH {target} chunked={chunked}");
            }
            case 2:
            {
                var target = (sessionLocation ?? $"/v2/{Name()}/blobs/uploads/{Guid.NewGuid():N}") + (sessionLocation is not null && sessionLocation.Contains('?') ? "&" : "?") + "digest=" + Digest();
                return new("upload-put", Raw("PUT", target, [Auth()], Chance(50) ? [1, 2, 3] : null), $"PUT {target}");
            }
            case 3:
            {
                var target = $"/v2/{(Chance(70) ? "app" : Name())}/manifests/{(Chance(80) ? Tag() : Digest())}";
                var type = Chance(80) ? "application/vnd.oci.image.manifest.v1+json" : Pick(new[] { "application/vnd.oci.image.index.v1+json", "text/plain", "application/vnd.docker.distribution.manifest.v1+json", "" });
                return new("manifest-put", Raw("PUT", target, [Auth(), $"Content-Type: {type}"], Manifest()), $"PUT {target}");
            }
            case 4:
            {
                var method = Pick(new[] { "GET", "HEAD", "DELETE", "POST", "PATCH" });
                var target = $"/v2/{(Chance(50) ? "app" : Name())}/" + Pick(new[] { $"manifests/{Tag()}", $"manifests/{Digest()}", $"blobs/{Digest()}", "tags/list?n=" + Pick(new[] { "-1", "abc", "99999999999", "2" }), $"referrers/{Digest()}?artifactType=%0A" });
                var headers = new List<string> { Auth() };
                if (Chance(20)) headers.Add("Range: " + Pick(new[] { "bytes=0-", "bytes=-0", "bytes=5-1", "bytes=99999999999999999999-", "bytes=0-1,2-3" }));
                return new("read", Raw(method, target, headers, null), $"{method} {target}");
            }
            case 5:
            {
                var fields = _rng.Next(4) switch
                {
                    0 => string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=v")),
                    1 => "grant_type=password&password=" + new string('a', (4 << 20) + 10),
                    2 => "grant_type=password&password=" + pushToken + "&scope=repository:app:pull,push",
                    _ => "grant_type=refresh_token&refresh_token=%00%0A",
                };
                return new("token-form", Raw("POST", "/token", ["Content-Type: application/x-www-form-urlencoded"], Encoding.ASCII.GetBytes(fields)), "POST /token form");
            }
            case 6:
            {
                var boundary = Chance(50) ? new string('b', 200) : "";
                var type = Pick(new[] { "multipart/form-data", $"multipart/form-data; boundary={boundary}", "multipart/form-data; boundary=\"\"" });
                var body = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--{boundary}--\r\n");
                return new("token-multipart", Raw("POST", "/token", [$"Content-Type: {type}"], body), $"POST /token {type[..Math.Min(40, type.Length)]}");
            }
            case 7:
            {
                var target = "/token?scope=" + Pick(new[] { "repository:app:pull", "repository:%0A:push", "repository:a:b:c", "registry:catalog:*", new string('s', 5000) }) + "&service=" + Name();
                return new("token-get", Raw("GET", target, [Auth()], null), $"GET {target[..Math.Min(80, target.Length)]}");
            }
            case 8:
            {
                // A client that goes away mid-body: the server must keep what it had and leak nothing.
                // Only PATCH: it can never create a session, so the final checks cannot race a request still in flight.
                var target = sessionLocation ?? $"/v2/{Name()}/blobs/uploads/{Guid.NewGuid():N}";
                const string method = "PATCH";
                var full = Raw(method, target, [Auth()], null);
                var text = Encoding.ASCII.GetString(full).Replace("Content-Length: 0\r\n", "Content-Length: 1000000\r\n");
                byte[] bytes = [.. Encoding.ASCII.GetBytes(text), .. new byte[_rng.Next(1, 5000)]];
                return new("abandon", bytes, $"{method} {target} abandoned mid-body", Abandon: true);
            }
            default:
            {
                var headers = new List<string> { Auth(), "X-Huge: " + new string('h', Pick(new[] { 100, 8 << 10, 40 << 10 })) };
                for (var i = 0; i < (Chance(20) ? 200 : 1); i++) headers.Add($"X-Many-{i}: {i}");
                var target = Pick(new[] { "/v2/", "/v2/_catalog?n=1&last=%0A", $"/v2/{Name()}/tags/list" });
                return new("huge-headers", Raw("GET", target, headers, null), $"GET {target} with big headers");
            }
        }
    }
}
