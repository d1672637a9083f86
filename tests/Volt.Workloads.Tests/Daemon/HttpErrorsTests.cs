using System.Text;
using Microsoft.AspNetCore.Http;
using Shouldly;
using Volt.Core.Errors;
using Volt.Hosting;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

public sealed class HttpErrorsTests
{
    public static TheoryData<ExitCode, int> Table => new()
    {
        { ExitCode.General, 500 }, { ExitCode.Usage, 400 }, { ExitCode.NotFound, 404 }, { ExitCode.AlreadyExists, 409 },
        { ExitCode.Permission, 403 }, { ExitCode.Daemon, 503 }, { ExitCode.Timeout, 504 }, { ExitCode.Network, 502 },
        { ExitCode.Conflict, 409 }, { ExitCode.Dependency, 424 }, { ExitCode.Resource, 507 }, { ExitCode.InvalidConfig, 422 },
        { ExitCode.Interrupted, 503 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Every_exit_code_has_its_status(ExitCode code, int status)
    {
        HttpErrors.StatusFor(code).ShouldBe(status);
        HttpErrors.StatusFor(new VoltException(code, "x")).ShouldBe(status);
    }

    [Fact]
    public void The_table_covers_every_exit_code_but_ok()
    {
        var covered = Table.Select(r => r.Data.Item1).ToHashSet();
        Enum.GetValues<ExitCode>().Where(c => c != ExitCode.Ok).ShouldAllBe(c => covered.Contains(c));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void The_way_back_returns_the_code_unless_two_codes_share_the_status(ExitCode code, int status)
    {
        var back = HttpErrors.ExitCodeFor(status);
        var expected = code switch { ExitCode.AlreadyExists => ExitCode.Conflict, ExitCode.Interrupted => ExitCode.Daemon, _ => code };
        back.ShouldBe(expected);
    }

    [Fact]
    public void Exceptions_that_are_not_volt_exceptions_map_to_the_clients_fault_or_500()
    {
        HttpErrors.StatusFor(new System.Text.Json.JsonException("bad")).ShouldBe(400);
        HttpErrors.StatusFor(new BadHttpRequestException("too big", 413)).ShouldBe(413);
        HttpErrors.ExitCodeFor(new BadHttpRequestException("too big", 413)).ShouldBe(ExitCode.Usage);
        HttpErrors.StatusFor(new InvalidOperationException("bug")).ShouldBe(500);
        HttpErrors.Body(new InvalidOperationException("bug")).ShouldBe(new ErrorResponse(1, "bug"));
    }

    [Fact]
    public void An_error_body_comes_back_as_the_same_exit_code_and_message()
    {
        var body = HttpErrors.Serialize(HttpErrors.Body(new VoltException(ExitCode.Conflict, "web is being edited")));
        Encoding.UTF8.GetString(body).ShouldBe("""{"code":9,"message":"web is being edited"}""");
        var e = HttpErrors.ToException(409, body, "fallback");
        e.Code.ShouldBe(ExitCode.Conflict);
        e.Message.ShouldBe("web is being edited");
    }

    [Theory]
    [InlineData(127)]
    [InlineData(126)]
    [InlineData(99)]
    public void Exit_codes_beyond_the_table_travel_in_the_body(int code)
    {
        // run -d of a command the image lacks: voltd raises 127, and the CLI must exit 127 (regression: it exited 1).
        var e = HttpErrors.ToException(500, HttpErrors.Serialize(HttpErrors.Body(new VoltException((ExitCode)code, "not found: /no/such/bin"))), "fallback");
        ((int)e.Code).ShouldBe(code);
        e.Message.ShouldBe("not found: /no/such/bin");
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>bad gateway</html>")]
    [InlineData("""{"code":256,"message":"no exit code"}""")]
    [InlineData("""{"code":-1,"message":"no exit code"}""")]
    [InlineData("""{"code":0,"message":"ok is no error"}""")]
    public void An_answer_without_a_usable_error_body_falls_back_to_the_status_row(string body)
    {
        var e = HttpErrors.ToException(504, Encoding.UTF8.GetBytes(body), "voltd answered 504");
        e.Code.ShouldBe(ExitCode.Timeout);
        e.Message.ShouldBe("voltd answered 504");
        HttpErrors.ToException(200, Encoding.UTF8.GetBytes(body), "odd").Code.ShouldBe(ExitCode.General);
    }
}
