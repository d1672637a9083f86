using Shouldly;
using Volt.Cli;
using Xunit;

namespace Volt.Tests.Cli;

/// <summary>The shared value rules (<see cref="CliValues"/>): out-of-range values are exit 2 with one line naming the option.</summary>
public sealed class ValueRulesTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("--port", "registry", "serve", "--port", "99999")]
    [InlineData("--port", "registry", "serve", "--port", "-1")]
    [InlineData("--port", "gitops", "serve", "--port", "99999")]
    [InlineData("--port", "gitops", "serve", "--port", "-1")]
    [InlineData("--port", "gitops", "install-service", "--port", "99999")]
    [InlineData("--port", "gitops", "install-service", "--port", "0")]
    [InlineData("--expiry", "registry", "token", "--expiry", "99999999999d")]
    [InlineData("--grace", "cas", "gc", "--grace", "99999999999d")]
    [InlineData("--since", "audit", "show", "--since", "99999999999d")]
    [InlineData("--since", "logs", "x", "--since", "9223372036854775808")]
    [InlineData("--interval", "top", "--interval", "NaN")]
    [InlineData("--interval", "top", "--interval", "Infinity")]
    [InlineData("--time", "container", "stop", "x", "--time", "NaN")]
    [InlineData("--time", "container", "restart", "x", "--time", "-1")]
    [InlineData("dir", "cas", "build", "")]
    [InlineData("file", "cas", "put", "")]
    [InlineData("path", "image", "import", "")]
    [InlineData("--socket", "daemon", "--socket", "a/b")]
    [InlineData("registry \"..\"", "image", "pull", "../nonexistent/x")]
    [InlineData("--limit", "audit", "show", "--limit", "99999999999")]
    [InlineData("--top", "cas", "dedup", "--top", "-1")]
    [InlineData("--secret-file", "gitops", "create", "--name", "x", "--repo", "/nonexistent/x.git", "--provider", "github", "--workload", "x", "--secret-file", "")]
    [InlineData("--disk", "vm", "create", "x", "--disk", "")]
    [InlineData("--acme-directory", "ingress", "serve", "--listen", "127.0.0.1", "--acme-directory", "99999999999d")]
    public void OutOfRangeValue_IsUsage2WithOneLineNamingTheOption(string named, params string[] args)
    {
        var r = _cli.Run(args);
        r.Code.ShouldBe(2, r.ToString());
        var errors = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("Error: ")).ToList();
        errors.Count.ShouldBe(1, r.ToString());
        errors[0].ShouldContain(named);
        r.Err.ShouldNotContain("(run with --debug");
        CliFuzzTests.Problem(r).ShouldBeNull(r.ToString());
    }

    [Fact]
    public void EveryFileDirOrPathOption_HasAValueRule()
    {
        // An option whose value is a path must be checked at parse time (an empty path reached .NET as a raw
        // "The value cannot be an empty string" before); AcceptPath or a stricter rule of its own.
        var app = new VoltApp(new Volt.Rendering.TestConsole(), VoltEnvironment.From(_cli.Env), TimeProvider.System);
        var missing = new List<string>();
        void Walk(System.CommandLine.Command c, string path)
        {
            foreach (var o in c.Options)
                if (o.HelpName is "FILE" or "DIR" or "PATH" && o.Validators.Count == 0 && !HasCustomParser(o))
                    missing.Add($"{path} {o.Name}");
            foreach (var sub in c.Subcommands) Walk(sub, $"{path} {sub.Name}");
        }
        Walk(app.Root, "volt");
        missing.ShouldBeEmpty();
    }

    private static bool HasCustomParser(System.CommandLine.Option o) =>
        o.GetType().GetProperty("CustomParser")?.GetValue(o) is not null;

    [Fact]
    public void LongPipelineName_IsUsage2NotAPathError()
    {
        var r = _cli.Run("gitops", "logs", "--name", new string('n', 5000));
        r.Code.ShouldBe(2, r.ToString());
        r.Err.ShouldStartWith("Error: invalid --name \"nnnn");
        r.Err.Length.ShouldBeLessThan(600);
    }

    [Fact]
    public void InstallServiceWithABadPort_WritesNoUnit()
    {
        _cli.Run("gitops", "install-service", "--port", "99999").Code.ShouldBe(2);
        File.Exists(Path.Combine(_cli.Root, "etc/systemd/system/volt-gitops.service")).ShouldBeFalse();
    }

    [Fact]
    public void PortZero_IsAcceptedWhereItMeansAnyFreePortOnly()
    {
        _cli.Run("gitops", "install-service", "--port", "0").Err.ShouldContain("expected a port from 1 to 65535");
        _cli.Run("gitops", "serve", "--port", "0").Err.ShouldContain("expected a port from 1 to 65535");
        _cli.Run("registry", "serve", "--port", "65536").Err.ShouldContain("expected a port from 0 (any free port) to 65535");
    }

    [Fact]
    public void ValueWithANewline_IsEchoedEscapedOnOneLine()
    {
        var r = _cli.Run("cas", "gc", "--grace", "1\nError: forged");
        r.Code.ShouldBe(2);
        r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].ShouldBe("Error: invalid --grace \"1\\nError: forged\": expected a duration like 30s, 15m, 2h or 7d (at most 36500d)");
        r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("Error: ")).ShouldBe(1);
    }

    [Fact]
    public void EngineMessageWithANewline_IsEscapedByTheErrorHandler()
    {
        var r = _cli.Run("cas", "cat", "a\u001b[31mb\nc");
        r.Code.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("a\\x1b[31mb\\nc");
        r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
    }

    [Theory]
    [InlineData("cas", "status", "-o", "xml")]
    [InlineData("completion", "powershell")]
    [InlineData("cas", "put", "f", "-a", "md5")]
    public void ChoiceError_IsOneLineListingTheChoices(params string[] args)
    {
        var r = _cli.Run(args);
        r.Code.ShouldBe(2);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2, r.ToString());
        lines[0].ShouldMatch(@"^Error: invalid (--output|shell|--algorithm) ""[a-z0-9]+"": expected one of \w+, \w+, \w+$");
        lines[1].ShouldStartWith("Run 'volt ");
    }

    [Fact]
    public void SystemCommandLineMessages_AreOneLine() =>
        VoltApp.OneLine("Argument 'x' not recognized. Must be one of:\n\t'a'\n\t'b'").ShouldBe("Argument 'x' not recognized. Must be one of 'a', 'b'.");

    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\tb\r", "a\\tb\\r")]
    [InlineData("\u001b[2J", "\\x1b[2J")]
    [InlineData("\u0085\u2028", "\\x85\\u2028")]
    [InlineData("ünï 名前", "ünï 名前")]
    public void Escape_TurnsControlCharactersIntoEscapes(string text, string escaped) => CliValues.Escape(text).ShouldBe(escaped);

    [Theory]
    [InlineData("1", true, 1)]
    [InlineData("65535", true, 65535)]
    [InlineData("0", false, 0)]
    [InlineData("65536", false, 0)]
    [InlineData("-1", false, 0)]
    [InlineData("+80", false, 0)]
    [InlineData(" 80", false, 0)]
    public void TryParsePort_AcceptsOneTo65535(string text, bool ok, int port)
    {
        CliValues.TryParsePort(text, allowZero: false, out var p).ShouldBe(ok);
        if (ok) p.ShouldBe(port);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e309")]
    [InlineData("")]
    public void TryParseNumber_RejectsNonFiniteNumbers(string text) => CliValues.TryParseNumber(text, out _).ShouldBeFalse();
}

/// <summary>Config errors reach the user as exit 12 with file:line:column, whatever the command.</summary>
public sealed class ConfigErrorTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("output: [table\n")]
    [InlineData("output: [table")]
    [InlineData("cas: {gc_grace: 15m\n")]
    [InlineData("cas:\n  gc_grace: 99999999999999999d\n")]
    [InlineData("output: ta\0ble\n")]
    public void BrokenConfig_StopsEvenPsWithExit12AndAPosition(string yaml)
    {
        _cli.Dir.Write("root/etc/volt/config.yaml", yaml);
        var r = _cli.Run("ps");
        r.Code.ShouldBe(12, r.ToString());
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, r.ToString());
        lines[0].ShouldMatch(@"^Error: invalid config /.+/etc/volt/config\.yaml:\d+:\d+: \S");
        r.Err.ShouldNotContain("current state of the object");
        r.Err.ShouldNotContain("TimeSpan");
    }
}
