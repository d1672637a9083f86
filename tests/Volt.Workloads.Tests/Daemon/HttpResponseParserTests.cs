using System.Text;
using Shouldly;
using Volt.Daemon;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

public sealed class HttpResponseParserTests
{
    private static (int, string) Parse(string raw)
    {
        var (status, body) = HttpResponseParser.Parse(Encoding.ASCII.GetBytes(raw));
        return (status, Encoding.ASCII.GetString(body));
    }

    [Fact]
    public void Content_length_body_is_cut_at_its_length()
    {
        Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n{\"a\"}trailing").ShouldBe((200, "{\"a\"}"));
    }

    [Fact]
    public void Header_names_are_read_in_any_case_a_repeated_header_is_no_error_and_a_line_without_colon_is_skipped()
    {
        Parse("HTTP/1.1 200 OK\r\nX-Seen: 1\r\nX-Seen: 2\r\nnot a header\r\ncontent-length:  3 \r\n\r\nabcdef").ShouldBe((200, "abc"));
        Parse("HTTP/1.1 204 No Content\r\n\r\n").ShouldBe((204, ""));
        Parse("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok").ShouldBe((200, "ok")); // no reason phrase
    }

    [Fact]
    public void Chunked_body_is_reassembled()
    {
        Parse("HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"co\r\na;ext=1\r\nde\":9,\"m\":\r\n2\r\n1}\r\n0\r\n\r\n")
            .ShouldBe((409, "{\"code\":9,\"m\":1}"));
    }

    [Fact]
    public void No_content_has_an_empty_body()
    {
        Parse("HTTP/1.1 204 No Content\r\nDate: Tue, 24 Nov 2026 11:00:00 GMT\r\n\r\n").ShouldBe((204, ""));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n")]            // header never ends
    [InlineData("SMTP 220 hello\r\n\r\n")]                                // not HTTP
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")]  // body cut short
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")] // bad chunk size
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc")] // chunk cut short
    public void Truncated_or_malformed_responses_are_io_errors(string raw)
    {
        Should.Throw<IOException>(() => HttpResponseParser.Parse(Encoding.ASCII.GetBytes(raw)));
    }

    /// <summary>Feeds <paramref name="raw"/> in pieces of <paramref name="piece"/> bytes; the bytes in when it said complete.</summary>
    private static int? CompleteAfter(string raw, int piece)
    {
        var bytes = Encoding.ASCII.GetBytes(raw);
        using var received = new MemoryStream();
        var expected = -1L;
        for (var at = 0; at < bytes.Length; at += piece)
        {
            received.Write(bytes, at, Math.Min(piece, bytes.Length - at));
            if (HttpResponseParser.Complete(received, ref expected)) return (int)received.Length;
        }
        return null;
    }

    [Theory]
    [InlineData("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 1)]
    [InlineData("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", 3)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", 4)]
    public void A_framed_answer_is_complete_once_its_last_byte_is_in(string raw, int piece)
    {
        CompleteAfter(raw, piece).ShouldBe(raw.Length);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")] // chunked: to EOF
    [InlineData("HTTP/1.1 200 OK\r\n\r\nbody until close")]                                   // unframed: to EOF
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort")]                          // not all in yet
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")]                                      // header not ended
    public void An_answer_without_framing_or_not_all_in_is_read_on(string raw)
    {
        CompleteAfter(raw, 7).ShouldBeNull();
    }
}
