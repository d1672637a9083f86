using Shouldly;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Cli;

public sealed class ErrorReporterTests
{
    [Fact]
    public async Task AnErrorWhoseUndoFailed_PrintsTheErrorThenOneLinePerFailedUndo_WithTheErrorsExitCode()
    {
        var error = new VoltException(ExitCode.Network, "container \"web\" did not start: attach failed");
        await using (var rev = new Reverter())
        {
            rev.Add("cgroup", () => { });
            rev.Add("network", _ => throw new IOException("Device or resource busy"));
            await rev.RevertAsync(error);
        }
        var console = new TestConsole();
        var env = VoltEnvironment.From(new Dictionary<string, string> { ["VOLT_COLOR"] = "never" });
        var parse = new VoltApp(console, env, TimeProvider.System).Root.Parse(["version"]);

        ErrorReporter.Report(console, parse, env, error, CancellationToken.None).ShouldBe((int)ExitCode.Network);
        console.StdErr.ShouldBe(
            "Error: container \"web\" did not start: attach failed\n" +
            "Error: undo of \"network\" failed: Device or resource busy\n");
    }
}
