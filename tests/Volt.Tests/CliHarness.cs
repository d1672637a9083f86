using Volt.Cli;
using Volt.Rendering;
using Volt.Testing;

namespace Volt.Tests;

/// <summary>Runs the CLI in memory against a private VOLT_ROOT and captures exit code and output.</summary>
public sealed class CliHarness : IDisposable
{
    public TempDir Dir { get; } = new("volt-cli");
    public Dictionary<string, string> Env { get; } = new();
    public string Root => Dir.Combine("root");

    public CliHarness()
    {
        Env["VOLT_ROOT"] = Root;
        Env["VOLT_COLOR"] = "never";
    }

    public CliResult Run(params string[] args)
    {
        var console = new TestConsole();
        var app = new VoltApp(console, VoltEnvironment.From(Env), TimeProvider.System);
        var code = app.Run(args);
        return new CliResult(code, console.StdOut, console.StdErr);
    }

    /// <summary>Runs the CLI and cancels it (as Ctrl+C would) after <paramref name="limit"/>: null when it had to be
    /// cancelled, so a command that serves or waits forever fails its test instead of hanging the suite.</summary>
    public CliResult? RunWithin(TimeSpan limit, params string[] args)
    {
        var console = new TestConsole();
        using var cancel = new CancellationTokenSource(limit);
        var app = new VoltApp(console, VoltEnvironment.From(Env), TimeProvider.System);
        var run = Task.Run(() => app.RunAsync(args, cancel.Token));
        // A command that ignores the token is abandoned after a grace period (its thread leaks; the test fails).
        if (!run.Wait(limit + TimeSpan.FromSeconds(30))) return null;
        var code = run.GetAwaiter().GetResult();
        return cancel.IsCancellationRequested ? null : new CliResult(code, console.StdOut, console.StdErr);
    }

    public CliResult Run(TestConsole console, params string[] args)
    {
        var code = new VoltApp(console, VoltEnvironment.From(Env), TimeProvider.System).Run(args);
        return new CliResult(code, console.StdOut, console.StdErr);
    }

    public void Dispose() => Dir.Dispose();
}

public sealed record CliResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}
