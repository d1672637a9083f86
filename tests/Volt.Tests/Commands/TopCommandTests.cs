using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Cli;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Commands;

/// <summary><c>volt top</c> on a terminal: q and Ctrl-C quit. The clock is fake, so only a key or a cancel can end it.</summary>
public sealed class TopCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("q")]
    [InlineData("xQ")]
    public async Task Q_QuitsTheLiveView(string typed)
    {
        var keys = new TestKeys();
        var console = new TestConsole { IsOutputTerminal = true, Keys = keys };
        var app = new VoltApp(console, VoltEnvironment.From(_cli.Env), new FakeTimeProvider());
        var run = app.RunAsync(["top"], TestContext.Current.CancellationToken);
        keys.Type(typed);
        (await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)).ShouldBe(0, console.StdErr);
    }

    [Fact]
    public async Task Q_QuitsAfterFramesWereDrawn()
    {
        var keys = new TestKeys();
        var time = new FakeTimeProvider();
        var console = new TestConsole { IsOutputTerminal = true, Keys = keys };
        var run = new VoltApp(console, VoltEnvironment.From(_cli.Env), time).RunAsync(["top", "--interval", "1"], TestContext.Current.CancellationToken);
        while (!console.StdOut.Contains("NAME"))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
            run.IsCompleted.ShouldBeFalse(console.StdErr);
        }
        keys.Type("q");
        (await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)).ShouldBe(0, console.StdErr);
    }

    [Fact]
    public async Task CtrlC_QuitsTheLiveViewWithExit0()
    {
        using var ctrlC = new CancellationTokenSource();
        var console = new TestConsole { IsOutputTerminal = true, Keys = new TestKeys() };
        var run = new VoltApp(console, VoltEnvironment.From(_cli.Env), new FakeTimeProvider()).RunAsync(["top"], ctrlC.Token);
        await ctrlC.CancelAsync();
        (await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)).ShouldBe(0, console.StdErr);
    }
}
