using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Shouldly;
using Volt.Daemon;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

public sealed class RouteTemplateTests
{
    private static QueryCollection Query(params (string K, string V)[] q) =>
        new(q.ToDictionary(p => p.K, p => new StringValues(p.V)));

    [Fact]
    public void Path_and_query_parameters_are_matched_by_name()
    {
        var t = RouteTemplate.Parse("/v1/workloads/{kind}/{name}/stop?timeout={timeout}");
        t.Parameters.ShouldBe(["kind", "name", "timeout"]);
        t.TryMatch("/v1/workloads/service/web/stop", Query(("timeout", "2.5")), out var v).ShouldBeTrue();
        v.ShouldBe(["service", "web", "2.5"]);
        t.TryMatch("/v1/workloads/service/web/stop/", Query(), out v).ShouldBeTrue();
        v.ShouldBe(["service", "web", null]);
    }

    [Theory]
    [InlineData("/v1/workloads/service/web/start")]
    [InlineData("/v1/workloads/service/stop")]
    [InlineData("/v1/workloads/service/web/stop/now")]
    [InlineData("/v1/workloads//web/stop")]
    [InlineData("/v2/workloads/service/web/stop")]
    [InlineData("")]
    public void Other_paths_do_not_match(string path)
    {
        RouteTemplate.Parse("/v1/workloads/{kind}/{name}/stop").TryMatch(path, Query(), out _).ShouldBeFalse();
    }

    [Fact]
    public void A_literal_query_entry_must_be_in_the_request()
    {
        var t = RouteTemplate.Parse("/v1/containers?start=1");
        t.TryMatch("/v1/containers", Query(("start", "1")), out _).ShouldBeTrue();
        t.TryMatch("/v1/containers", Query(("start", "0")), out _).ShouldBeFalse();
        t.TryMatch("/v1/containers", Query(), out _).ShouldBeFalse();
        t.Format([]).ShouldBe("/v1/containers?start=1");
    }

    [Fact]
    public void Format_escapes_values_and_leaves_out_absent_query_parameters()
    {
        var t = RouteTemplate.Parse("/v1/workloads/{kind}/{name}/stop?timeout={timeout}");
        t.Format(["service", "a b/c", null]).ShouldBe("/v1/workloads/service/a%20b%2Fc/stop");
        t.Format(["task", "x", "1.5"]).ShouldBe("/v1/workloads/task/x/stop?timeout=1.5");
        Should.Throw<ArgumentException>(() => t.Format(["task", null, null]));
        Should.Throw<ArgumentException>(() => t.Format(["task"]));
    }

    [Theory]
    [InlineData("v1/ping")]
    [InlineData("/v1//ping")]
    [InlineData("/v1/{a}/{a}")]
    [InlineData("/v1/x{a}")]
    [InlineData("/v1/x?timeout")]
    public void Malformed_templates_are_refused(string text) => Should.Throw<ArgumentException>(() => RouteTemplate.Parse(text));

    [Fact]
    public void Templates_that_match_the_same_paths_overlap()
    {
        RouteTemplate.Parse("/v1/workloads/{kind}").Overlaps(RouteTemplate.Parse("/v1/workloads/service")).ShouldBeTrue();
        RouteTemplate.Parse("/v1/workloads/{kind}").Overlaps(RouteTemplate.Parse("/v1/workloads")).ShouldBeFalse();
        RouteTemplate.Parse("/v1/x/{a}/start").Overlaps(RouteTemplate.Parse("/v1/x/{b}/stop")).ShouldBeFalse();
        RouteTemplate.Parse("/v1/c?start=1").Overlaps(RouteTemplate.Parse("/v1/c?start=0")).ShouldBeFalse();
    }
}
